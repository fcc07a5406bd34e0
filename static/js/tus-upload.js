// Resumable video upload for the lesson editor: a small tus 1.0 client (core, creation,
// expiration).
// The file goes up in 5 MB pieces to /api/v1/uploads; a dropped connection or a reloaded page
// goes on from where the server stopped (the upload's address is kept in localStorage). When
// done, the video's id goes into the hidden field "media" and the file input is cleared, so
// saving the form sends only the id. Without JavaScript the plain file input works as before.
(function () {
  "use strict";
  const form = document.querySelector("form[data-tus-endpoint]");
  if (!form || !window.fetch || !window.Blob || !window.TextEncoder) return;
  const input = form.querySelector('input[type="file"][name="upload"]');
  const mediaField = form.querySelector('input[name="media"]');
  const typeField = form.querySelector('[name="lesson_type"]');
  const box = form.querySelector("[data-tus-progress]");
  if (!input || !mediaField || !box) return;
  const bar = box.querySelector("[data-tus-bar]");
  const progress = box.querySelector('[role="progressbar"]');
  const message = box.querySelector("[data-tus-message]");
  const endpoint = form.getAttribute("data-tus-endpoint");
  const maxBytes = Number(form.getAttribute("data-tus-max-bytes")) || Infinity;
  const csrfInput = form.querySelector('input[name="csrf_token"]');
  const csrf = csrfInput ? csrfInput.value : "";
  const CHUNK = 5 * 1024 * 1024;
  const RETRY_DELAYS = [1000, 3000, 5000, 10000, 20000];
  const VIDEO_NAME = /\.(mp4|m4v|mov|mkv|webm|avi)$/i;
  let busy = false;

  function text(name) {
    return form.getAttribute("data-msg-" + name) || "";
  }

  function show(words, percent) {
    box.hidden = false;
    message.textContent = words;
    if (typeof percent === "number") {
      const step = Math.max(0, Math.min(100, Math.floor(percent / 5) * 5));
      bar.className = "progress-bar pw-" + step;
      progress.setAttribute("aria-valuenow", String(Math.floor(percent)));
    }
  }

  function showPercent(offset, size) {
    const percent = size ? (offset * 100) / size : 100;
    show(text("uploading").replace("{percent}", String(Math.floor(percent))), percent);
  }

  function storageKey(file) {
    return "lentera-tus:" + file.name + ":" + file.size + ":" + file.lastModified;
  }

  function remember(file, url) {
    try {
      if (url) window.localStorage.setItem(storageKey(file), url);
      else window.localStorage.removeItem(storageKey(file));
    } catch (ignored) { /* private mode: no resuming after a reload */ }
  }

  function remembered(file) {
    try {
      return window.localStorage.getItem(storageKey(file));
    } catch (ignored) {
      return null;
    }
  }

  function base64(value) {
    const bytes = new TextEncoder().encode(value);
    let binary = "";
    bytes.forEach(function (byte) { binary += String.fromCharCode(byte); });
    return window.btoa(binary);
  }

  function send(method, url, headers, body) {
    const all = Object.assign({ "Tus-Resumable": "1.0.0", "X-CSRFToken": csrf }, headers);
    return fetch(url, {
      method: method,
      headers: all,
      body: body,
      credentials: "same-origin",
      cache: "no-store",
    });
  }

  function sleep(ms) {
    return new Promise(function (resolve) { window.setTimeout(resolve, ms); });
  }

  async function failure(response) {
    try {
      const data = await response.json();
      if (data && data.error && data.error.message) return new Error(data.error.message);
    } catch (ignored) { /* not JSON */ }
    return new Error(text("failed"));
  }

  // Where the server is: its offset, and the video's id once complete; null if it forgot it.
  async function where(url) {
    const response = await send("HEAD", url, {});
    if (!response.ok) return null;
    return {
      offset: Number(response.headers.get("Upload-Offset")),
      media: response.headers.get("Lentera-Media-Id"),
    };
  }

  async function create(file) {
    const response = await send("POST", endpoint, {
      "Upload-Length": String(file.size),
      "Upload-Metadata": "filename " + base64(file.name) + ",filetype " + base64(file.type || ""),
    });
    if (response.status !== 201) throw await failure(response);
    return new URL(response.headers.get("Location"), window.location.href).href;
  }

  async function upload(file) {
    let url = remembered(file);
    let state = url ? await where(url).catch(function () { return null; }) : null;
    if (state) {
      show(text("resuming"));
    } else {
      url = await create(file);
      remember(file, url);
      state = { offset: 0, media: null };
    }
    let offset = state.offset;
    let media = state.media;
    let attempt = 0;
    let restarted = false;
    // At offset == size with no video yet (the server could not store it a moment ago), a PATCH
    // with no bytes asks it to finish the upload.
    while (!media) {
      showPercent(offset, file.size);
      let response;
      try {
        response = await send(
          "PATCH",
          url,
          { "Content-Type": "application/offset+octet-stream", "Upload-Offset": String(offset) },
          file.slice(offset, offset + CHUNK),
        );
      } catch (networkError) {
        // The connection dropped: wait, ask the server how far it got, go on from there.
        if (attempt >= RETRY_DELAYS.length) throw new Error(text("failed"));
        await sleep(RETRY_DELAYS[attempt]);
        attempt += 1;
        const now = await where(url).catch(function () { return null; });
        if (now) { offset = now.offset; media = now.media; }
        continue;
      }
      if (response.status === 409) {
        const now = await where(url);
        if (!now) throw new Error(text("failed"));
        offset = now.offset;
        media = now.media;
        continue;
      }
      if ((response.status === 404 || response.status === 410) && !restarted) {
        // The unfinished upload expired on the server: start it again, once.
        restarted = true;
        url = await create(file);
        remember(file, url);
        offset = 0;
        continue;
      }
      if (!response.ok) {
        if (response.status !== 423 && response.status < 500) remember(file, null);
        throw await failure(response);
      }
      attempt = 0;
      offset = Number(response.headers.get("Upload-Offset"));
      media = response.headers.get("Lentera-Media-Id");
      if (!media && offset >= file.size) throw new Error(text("failed"));
    }
    remember(file, null);
    return media;
  }

  function wantsTus(file) {
    if (!file || (typeField && typeField.value !== "video")) return false;
    return VIDEO_NAME.test(file.name) || (file.type || "").indexOf("video/") === 0;
  }

  async function start() {
    const file = input.files && input.files[0];
    if (busy || !wantsTus(file)) return;
    if (file.size > maxBytes) {
      show(text("too-large"), 0);
      return;
    }
    busy = true;
    mediaField.value = "";
    showPercent(0, file.size);
    try {
      const media = await upload(file);
      mediaField.value = media;
      input.value = "";  // the form now sends the id, not the file again
      show(text("done"), 100);
    } catch (error) {
      show(error.message || text("failed"));
    } finally {
      busy = false;
    }
  }

  input.addEventListener("change", start);
  if (typeField) typeField.addEventListener("change", start);
  form.addEventListener("submit", function (event) {
    if (busy) {
      event.preventDefault();
      show(text("wait"));
    }
  });
})();
