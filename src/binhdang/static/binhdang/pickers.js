// Searchable pickers: every <select data-searchable> (marked by core.forms.StyledForm: unit and
// person pickers and every multiple choice) becomes a Tom Select box that filters as one types,
// with or without diacritics ("quang ngai" finds "Quảng Ngãi"), and needs no Ctrl-click.
"use strict";

(() => {
  if (typeof TomSelect === "undefined") return;
  const texts = document.documentElement.dataset;

  // Vietnamese letters Tom Select's own table does not fold: "đ" is not an accented "d".
  const fold = (text) =>
    text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D");

  const enhance = (select) => {
    if (select.tomselect || select.closest("template")) return;
    const multiple = select.multiple;
    const picker = new TomSelect(select, {
      plugins: multiple ? ["remove_button", "checkbox_options"] : [],
      maxOptions: null,
      allowEmptyOption: !multiple,
      hidePlaceholder: true,
      score(search) {
        const words = fold(search).toLowerCase().split(/\s+/).filter(Boolean);
        return (item) => {
          const text = fold(item.text).toLowerCase();
          return words.every((word) => text.includes(word)) ? 1 : 0;
        };
      },
      render: {
        no_results: () => `<div class="no-results">${texts.pickerNoResults || "—"}</div>`,
      },
    });
    picker.wrapper.classList.toggle("is-invalid", select.classList.contains("is-invalid"));
  };

  const scan = (root) => root.querySelectorAll?.("select[data-searchable]").forEach(enhance);
  scan(document);
  // Rows added to a formset (committee members) bring new pickers.
  new MutationObserver((changes) => {
    for (const change of changes) change.addedNodes.forEach((node) => node.nodeType === 1 && scan(node));
  }).observe(document.body, { childList: true, subtree: true });
})();
