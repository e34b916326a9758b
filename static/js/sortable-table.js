// Sortable tables: each <th data-sort="text|number"> in a table[data-sortable] becomes a button
// that sorts the body rows by that column (cells may carry data-value for the sort key).
// Without JavaScript the table stays in its server order; aria-sort tells screen readers.
(function () {
  "use strict";
  function key(cell, numeric) {
    var raw = cell ? (cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent.trim()) : "";
    return numeric ? parseFloat(raw) || 0 : raw;
  }
  function sortBy(table, header, index) {
    var numeric = header.dataset.sort === "number";
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("thead th[aria-sort]").forEach(function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows).filter(function (r) { return r.cells.length > 1; });
    rows.sort(function (a, b) {
      var x = key(a.cells[index], numeric), y = key(b.cells[index], numeric);
      var order = numeric ? x - y : String(x).localeCompare(String(y), "ja");
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }
  document.querySelectorAll("table[data-sortable]").forEach(function (table) {
    table.querySelectorAll("thead th[data-sort]").forEach(function (header) {
      var index = header.cellIndex;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      button.setAttribute("aria-label", header.textContent.trim() + "で並べ替え");
      while (header.firstChild) { button.appendChild(header.firstChild); }
      header.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, header, index); });
    });
  });
})();
