// Small enhancements only: every flow works without this script.
document.addEventListener("DOMContentLoaded", () => {
  // Fill the time zone from the browser when the field still holds the default.
  for (const input of document.querySelectorAll("[data-detect-timezone]")) {
    try {
      const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (zone && (input.value === "" || input.value === "UTC")) input.value = zone;
    } catch (_) { /* keep the server's default */ }
  }
  // Booking pages show times in the browser's zone unless the person chose one.
  const picker = document.querySelector("[data-tz-redirect]");
  if (picker) {
    try {
      const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      const url = new URL(window.location.href);
      if (zone && !url.searchParams.has("tz")) {
        url.searchParams.set("tz", zone);
        window.location.replace(url.toString());
      }
    } catch (_) { /* keep the account's zone */ }
  }
  // Bring the error summary into view and focus so screen readers announce it.
  const summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
});

// Notes: keep a draft of each note on this device while typing, save it in the background
// when the form is submitted, and if the connection drops keep the draft and save it when
// the browser is back online. Without this script the note form simply posts.
(() => {
  const KEY = "stint-note-draft:";
  const forms = () => document.querySelectorAll("form[data-note]");
  const key = (form) => KEY + form.dataset.note;
  const area = (form) => form.querySelector("textarea");
  const read = (form) => {
    try { return JSON.parse(localStorage.getItem(key(form)) || "null"); } catch (_) { return null; }
  };
  const write = (form, body, pending) => {
    try { localStorage.setItem(key(form), JSON.stringify({ body, pending })); } catch (_) { /* storage full or off */ }
  };
  const drop = (form) => {
    try { localStorage.removeItem(key(form)); } catch (_) { /* nothing kept */ }
  };
  const say = (form, text) => {
    const status = form.querySelector("[data-note-status]");
    if (status) status.textContent = text;
  };
  const saving = new WeakSet();

  async function save(form) {
    if (saving.has(form)) return;
    const note = form.dataset.note;
    write(form, area(form).value, true);
    saving.add(form);
    say(form, "Saving…");
    let response;
    try {
      response = await fetch(form.action, {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        credentials: "same-origin",
        headers: { "Accept": "text/html" },
      });
    } catch (_) {
      saving.delete(form);
      say(form, "Offline: draft saved on this device; it will be saved when you are back online.");
      return;
    }
    saving.delete(form);
    if (response.status === 403) {
      write(form, area(form).value, false);
      say(form, "Not saved: this page has expired. Reload it; the draft is kept on this device.");
      return;
    }
    // The answer is the session page (after the redirect) or the page with the message:
    // swap in this note's section from it.
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const section = form.closest("[data-note-section]");
    const fresh = section && section.id ? page.getElementById(section.id) : null;
    if (fresh) section.replaceWith(document.adoptNode(fresh));
    const now = document.querySelector(`form[data-note="${CSS.escape(note)}"]`) || form;
    if (response.ok) {
      drop(now);
      say(now, "Saved");
    } else {
      write(now, area(now).value, false);
      const error = now.querySelector(".error");
      say(now, "Not saved" + (error ? ": " + error.textContent : "") + ". The draft is kept on this device.");
    }
  }

  document.addEventListener("input", (event) => {
    const form = event.target.closest && event.target.closest("form[data-note]");
    if (!form || event.target !== area(form)) return;
    write(form, event.target.value, false);
    say(form, "Draft saved on this device");
  });

  document.addEventListener("submit", (event) => {
    const form = event.target.closest && event.target.closest("form[data-note]");
    if (!form || !window.fetch) return;
    event.preventDefault();
    save(form);
  });

  window.addEventListener("online", () => {
    for (const form of forms()) {
      const draft = read(form);
      if (draft && draft.pending) save(form);
    }
  });

  document.addEventListener("DOMContentLoaded", () => {
    for (const form of forms()) {
      const draft = read(form);
      if (!draft) continue;
      const textarea = area(form);
      if (draft.body === textarea.value) {
        if (!draft.pending) { drop(form); continue; }
      } else {
        textarea.value = draft.body;
      }
      if (draft.pending && navigator.onLine) {
        save(form);
      } else if (draft.pending) {
        say(form, "Offline: draft saved on this device; it will be saved when you are back online.");
      } else {
        say(form, "Draft saved on this device (not saved yet)");
      }
    }
  });
})();
