// Lentera quiz page: every answer is saved as it is given, kept on the device while offline and
// sent again when the connection returns; the countdown follows the server's deadline, and the
// attempt is submitted when time runs out. Without scripts the form's buttons save and submit.
(() => {
  const form = document.querySelector("form[data-quiz]");
  if (!form) return;
  const csrf = form.querySelector("input[name=csrf_token]").value;
  const saveUrl = (slot) => form.dataset.saveUrl.replace(/\/0$/, `/${slot}`);
  const statusEl = document.querySelector("[data-save-status]");
  const storeKey = `lentera-quiz-${form.dataset.attempt}`;
  let pending = {};
  try {
    pending = JSON.parse(localStorage.getItem(storeKey) || "{}");
  } catch (error) {
    pending = {};
  }
  let closed = false;

  const say = (key) => {
    if (statusEl) statusEl.textContent = statusEl.dataset[key] || "";
  };
  const remember = () => {
    try {
      localStorage.setItem(storeKey, JSON.stringify(pending));
    } catch (error) {
      /* private mode: the answer stays pending in memory */
    }
  };

  const answerOf = (fieldset) => {
    const type = fieldset.dataset.type;
    const checked = [...fieldset.querySelectorAll("input:checked")].map((i) => i.value);
    if (type === "multichoice") return checked.length ? checked[0] : undefined;
    if (type === "truefalse") return checked.length ? checked[0] === "true" : undefined;
    if (type === "multiresponse") return checked;
    if (type === "matching") {
      const pairs = {};
      fieldset.querySelectorAll("select[data-left]").forEach((s) => {
        if (s.value) pairs[s.dataset.left] = s.value;
      });
      return Object.keys(pairs).length ? pairs : undefined;
    }
    if (type === "ordering") {
      const items = [...fieldset.querySelectorAll("select[data-item]")];
      const numbers = items.map((s) => s.value);
      if (numbers.some((n) => !n) || new Set(numbers).size !== numbers.length) return undefined;
      return items
        .map((s) => [Number(s.value), s.dataset.item])
        .sort((a, b) => a[0] - b[0])
        .map((pair) => pair[1]);
    }
    const field = fieldset.querySelector("input[type=text], textarea");
    if (!field || (type !== "essay" && !field.value.trim())) return undefined;
    return field.value;
  };

  const send = async (slot) => {
    if (!(slot in pending) || closed) return;
    const answer = pending[slot];
    say("saving");
    try {
      const response = await fetch(saveUrl(slot), {
        method: "PUT",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ answer }),
        credentials: "same-origin",
      });
      if (response.ok) {
        if (pending[slot] === answer) delete pending[slot];
        remember();
        say("saved");
        return;
      }
      if (response.status >= 500 || response.status === 429) {
        // the server could not take it now: keep the answer and send it again with the next try
        say("retry");
        return;
      }
      const body = await response.json().catch(() => ({}));
      const code = body.error && body.error.code;
      delete pending[slot];
      remember();
      if (code === "deadline_passed" || code === "already_submitted") {
        closed = true;
        say("late");
        window.location.reload();
        return;
      }
      if (statusEl) statusEl.textContent = (body.error && body.error.message) || "";
    } catch (error) {
      say("offline");
    }
  };

  const flush = () => Object.keys(pending).forEach((slot) => send(slot));

  // "Terjawab: n/N" follows the answers as they are given, not only after a reload
  // (with one question per page the others count as the server said)
  const answeredEl = document.querySelector("[data-answered]");
  const givenHere = () =>
    [...form.querySelectorAll("fieldset[data-slot]")].filter((fieldset) => {
      const answer = answerOf(fieldset);
      return !(answer === undefined || answer === "" || (Array.isArray(answer) && !answer.length));
    }).length;
  const answeredElsewhere = answeredEl ? Number(answeredEl.textContent) - givenHere() : 0;
  const countAnswered = () => {
    if (answeredEl) answeredEl.textContent = String(Math.max(0, answeredElsewhere + givenHere()));
  };

  let typingTimer = null;
  const changed = (event) => {
    const fieldset = event.target.closest("fieldset[data-slot]");
    if (!fieldset) return;
    countAnswered();
    const answer = answerOf(fieldset);
    if (answer === undefined) return;
    pending[fieldset.dataset.slot] = answer;
    remember();
    if (event.type === "input") {
      clearTimeout(typingTimer);
      typingTimer = setTimeout(() => send(fieldset.dataset.slot), 1500);
    } else {
      send(fieldset.dataset.slot);
    }
  };
  form.addEventListener("change", changed);
  form.addEventListener("input", (event) => {
    if (event.target.matches("input[type=text], textarea")) changed(event);
  });
  window.addEventListener("online", flush);
  setInterval(flush, 15000);
  flush();

  const submitButton = form.querySelector("[data-submit-quiz]");
  form.addEventListener("submit", (event) => {
    if (event.submitter === submitButton && !closed) {
      if (!window.confirm(submitButton.dataset.confirmText)) {
        event.preventDefault();
        return;
      }
    }
    // the form carries every answer on the page, so nothing pending is lost
    pending = {};
    remember();
  });

  const timer = document.querySelector("[data-countdown]");
  if (timer) {
    const end = Date.now() + Number(timer.dataset.remaining) * 1000;
    const tick = () => {
      const left = Math.max(0, Math.round((end - Date.now()) / 1000));
      const minutes = Math.floor(left / 60);
      timer.textContent = `${minutes}:${String(left % 60).padStart(2, "0")}`;
      if (left <= 60) timer.classList.add("text-danger");
      if (left === 0 && !closed) {
        closed = true;
        const field = document.createElement("input");
        field.type = "hidden";
        field.name = "aksi";
        field.value = "kumpulkan";
        form.appendChild(field);
        form.submit();
        return;
      }
      setTimeout(tick, 1000);
    };
    tick();
  }
})();
