// The figures entry form on a bad connection: each typed value is kept in this browser
// (localStorage, under the user, unit and year of the page) until the server confirms that its
// section was saved; after a reload or a failed send the values come back, with a notice.
"use strict";

(() => {
  const form = document.getElementById("entry-form");
  if (!form || !form.dataset.draftKey) return;
  const key = form.dataset.draftKey;
  let store;
  try {
    store = window.localStorage;
  } catch {
    return; // storage refused (privacy settings): the form works, without the safety net
  }

  const read = () => {
    try {
      return JSON.parse(store.getItem(key)) || {};
    } catch {
      return {};
    }
  };
  const write = (drafts) => {
    try {
      if (Object.keys(drafts).length) store.setItem(key, JSON.stringify(drafts));
      else store.removeItem(key);
    } catch {
      // storage full: the form still works, only without the safety net
    }
  };
  // The fields typed into: those of a section, not the hidden ones the server fills.
  const kept = (field) => field.name && field.type !== "hidden" && field.closest("[data-section]");
  // What the page showed for the field's line when it was opened (the hidden `…was` field):
  // a value is only put back on the line it was typed over, never over someone else's save.
  const shownOf = (field) => {
    const name = field.name;
    const was = form.elements[`${name.slice(0, name.lastIndexOf("-") + 1)}was`];
    return was ? was.value : "";
  };

  // The server saved a section (or "*", everything): forget what was kept for it.
  const drafts = read();
  const saved = form.dataset.saved;
  for (const [name, draft] of Object.entries(drafts)) {
    if (saved === "*" || draft.s === saved) delete drafts[name];
  }
  let restored = 0;
  for (const [name, draft] of Object.entries(drafts)) {
    const field = form.elements[name];
    if (!field || !kept(field)) {
      delete drafts[name];
    } else if (field.disabled) {
      continue; // a locked year: kept for when it is unlocked
    } else if (field.value === draft.v) {
      draft.w = shownOf(field); // on the page already (a refused save shows it back)
    } else if (shownOf(field) !== draft.w) {
      delete drafts[name]; // the line was saved since it was typed
    } else {
      field.value = draft.v;
      field.classList.add("entry-restored");
      restored += 1;
    }
  }
  write(drafts);
  if (restored) {
    const notice = document.getElementById("entry-restored");
    notice.textContent = notice.dataset.text.replace("{n}", restored.toLocaleString("vi-VN"));
    notice.hidden = false;
  }

  const keep = (event) => {
    const field = event.target;
    if (!kept(field)) return;
    const now = read();
    now[field.name] = {
      v: field.value,
      w: shownOf(field),
      s: field.closest("[data-section]").dataset.section,
    };
    write(now);
  };
  form.addEventListener("input", keep);
  form.addEventListener("change", keep);

  // Offline, a send would only show the browser's error page: say so and stay.
  form.addEventListener("submit", (event) => {
    const offline = document.getElementById("entry-offline");
    offline.hidden = navigator.onLine !== false;
    if (!offline.hidden) {
      event.preventDefault();
      offline.scrollIntoView({ block: "center" });
    }
  });
})();
