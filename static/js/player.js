// Lentera video player: HLS with hls.js (or the browser's own HLS), a quality menu with an
// audio-only choice for the weakest connections, playback speed, and resuming where one stopped.
(function () {
  "use strict";
  const box = document.querySelector("[data-player]");
  if (!box) return;
  const video = box.querySelector("video");
  const quality = box.querySelector("[data-quality]");
  const speed = box.querySelector("[data-speed]");
  const audioLabel = box.querySelector("[data-audio-label]");
  const audioChoice = box.querySelector("[data-audio-choice]");
  const master = video.dataset.hls;
  const audioOnly = video.dataset.audio;
  const storageKey = "lentera-posisi-" + video.dataset.lesson;
  let hls = null;
  let listening = false;  // playing the audio-only rendition

  const watchUrl = video.dataset.watch;
  const watchStatus = document.querySelector("[data-watch-status]");
  let segmentStart = null;  // where the stretch being played began
  let lastTime = 0;

  // Tell the server what was really played; it counts each second once.
  function report(keepalive) {
    if (!watchUrl) return;
    const to = lastTime;
    const from = segmentStart === null ? to : segmentStart;
    segmentStart = video.paused ? null : to;
    fetch(watchUrl, {
      method: "POST",
      credentials: "same-origin",
      keepalive: Boolean(keepalive),
      headers: { "Content-Type": "application/json", "X-CSRFToken": video.dataset.csrf },
      body: JSON.stringify({ from: from, to: to, position: to }),
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && data.completed && watchStatus) {
          watchStatus.textContent = watchStatus.dataset.doneText;
        }
      })
      .catch(function () { /* the next report carries the position again */ });
  }
  video.addEventListener("timeupdate", function () {
    if (!video.seeking) lastTime = video.currentTime;
  });
  video.addEventListener("playing", function () { segmentStart = video.currentTime; });
  video.addEventListener("seeking", function () {
    if (segmentStart !== null) report();
    segmentStart = null;
  });
  video.addEventListener("seeked", function () {
    lastTime = video.currentTime;
    if (!video.paused) segmentStart = video.currentTime;
  });
  video.addEventListener("pause", function () { report(); });
  window.setInterval(function () { if (!video.paused) report(); }, 10000);
  window.addEventListener("pagehide", function () { report(true); });

  function restorePosition() {
    if (!video.duration) {
      // not known yet: wait for it, or a finished video would be put at its very end
      video.addEventListener("loadedmetadata", restorePosition, { once: true });
      return;
    }
    const server = parseFloat(video.dataset.position || "0");
    const saved = server || parseFloat(window.localStorage.getItem(storageKey) || "0");
    if (saved > 5 && saved < video.duration - 5) {
      video.currentTime = saved;
    }
  }
  function savePosition() {
    if (video.currentTime > 0) {
      window.localStorage.setItem(storageKey, String(Math.floor(video.currentTime)));
    }
  }
  function addOption(value, label) {
    const option = document.createElement("option");
    option.value = value;
    option.textContent = label;
    quality.appendChild(option);
  }
  // Switch between the video ladder and the audio-only rendition, keeping the position.
  function load(source, level) {
    savePosition();
    const playing = !video.paused;
    hls.loadSource(source);
    hls.once(window.Hls.Events.MANIFEST_PARSED, function () {
      if (level !== undefined) hls.currentLevel = level;
      restorePosition();
      if (playing) video.play();
    });
  }

  if (window.Hls && window.Hls.isSupported()) {
    hls = new window.Hls({ capLevelToPlayerSize: true, startLevel: 0 });
    hls.loadSource(master);
    hls.attachMedia(video);
    hls.once(window.Hls.Events.MANIFEST_PARSED, function (_event, data) {
      data.levels.forEach(function (level, index) {
        if (level.height) addOption(String(index), level.height + "p");
      });
      if (audioOnly) addOption("audio", audioChoice.textContent);
      quality.disabled = false;
      restorePosition();
    });
    quality.addEventListener("change", function () {
      if (quality.value === "audio") {
        listening = true;
        audioLabel.hidden = false;
        load(audioOnly);
      } else if (listening) {
        listening = false;
        audioLabel.hidden = true;
        load(master, parseInt(quality.value, 10));
      } else {
        hls.currentLevel = parseInt(quality.value, 10);
      }
    });
  } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = master;  // Safari plays HLS itself and picks the quality by bandwidth
    video.addEventListener("loadedmetadata", restorePosition, { once: true });
  }

  // The chosen speed holds for every video on this device (a learner who likes 2x keeps it).
  function setSpeed(value) {
    const rate = parseFloat(value);
    if (!(rate > 0)) return;
    video.defaultPlaybackRate = rate;
    video.playbackRate = rate;
  }
  const savedSpeed = window.localStorage.getItem("lentera-kecepatan");
  if (savedSpeed && speed.querySelector('option[value="' + savedSpeed + '"]')) {
    speed.value = savedSpeed;
    setSpeed(savedSpeed);
  }
  speed.addEventListener("change", function () {
    setSpeed(speed.value);
    window.localStorage.setItem("lentera-kecepatan", speed.value);
  });
  video.addEventListener("pause", savePosition);
  window.setInterval(function () { if (!video.paused) savePosition(); }, 10000);
  window.addEventListener("pagehide", savePosition);
})();
