// The platform's small behaviours, bound through data attributes: the Content-Security-Policy
// forbids inline scripts and on*="" handlers, so templates only mark elements and this file acts.
"use strict";

// <select data-autosubmit> / <input type="checkbox" data-autosubmit>: submit the form on change.
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-autosubmit]");
  if (field && field.form) field.form.submit();
});

// <form data-confirm="…"> or <button data-confirm="…">: ask before submitting.
document.addEventListener("submit", (event) => {
  const question = event.submitter?.dataset.confirm || event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});

// <input data-select-on-click>: select the whole text (the calendar address).
document.addEventListener("click", (event) => {
  const field = event.target.closest("[data-select-on-click]");
  if (field) field.select();
});

// <button data-copy="element-id">: copy that field's value to the clipboard.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  const field = button && document.getElementById(button.dataset.copy);
  if (field && navigator.clipboard) navigator.clipboard.writeText(field.value);
});

// <textarea class="counted" data-limit="N"> with <span class="counter" data-for="id">: live count.
function countText(area) {
  const counter = document.querySelector(`.counter[data-for="${area.id}"]`);
  const limit = parseInt(area.dataset.limit, 10);
  const length = area.value.replace(/\r\n/g, "\n").trim().length;
  if (counter) {
    counter.textContent = length.toLocaleString("vi-VN");
    counter.classList.toggle("text-danger", length > limit);
  }
}
document.addEventListener("input", (event) => {
  if (event.target.matches("textarea.counted")) countText(event.target);
});
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("textarea.counted").forEach(countText);
});
