// The open-round form: while the name and period are still the ones written for the year shown,
// choosing another year rewrites them (the server applies the same rule if scripts are off).
"use strict";

(() => {
  const form = document.getElementById("open-round");
  if (!form) return;
  const field = (name) => form.elements.namedItem(name);
  const defaults = (year) => ({
    name: form.dataset.namePattern.replace("{year}", year),
    period_start: `01/01/${year}`,
    period_end: `31/12/${year}`,
  });
  field("year").addEventListener("change", () => {
    const before = defaults(field("derived_year").value);
    const year = field("year").value;
    const after = defaults(year);
    const untouched = ["period_start", "period_end"].every((k) => field(k).value === before[k]);
    if (field("name").value.trim().replace(/\s+/g, " ") === before.name) field("name").value = after.name;
    if (untouched) {
      field("period_start").value = after.period_start;
      field("period_end").value = after.period_end;
    }
    field("derived_year").value = year;
  });
})();
