// The dispensing form (/budget/patients/<pk>/dispense/): live search of the catalogue and a
// running total against what is left in the budget. The form works without it: the search
// box then reloads the page, and the total is computed when the form is sent.
(function () {
  "use strict";
  var search = document.getElementById("catalogue-search");
  var table = document.getElementById("catalogue-table");
  if (!search || !table) {
    return;
  }
  var totalOutput = document.getElementById("dispense-total");
  var leftOutput = document.getElementById("dispense-left");
  var remainingBox = document.getElementById("budget-remaining");
  var euros = new Intl.NumberFormat(document.documentElement.lang || "fr", { style: "currency", currency: "EUR" });

  function normalise(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  // "12,5", "1 234,56", "1234.56" -> a number of hundredths (0 when not a positive amount).
  function hundredths(text) {
    var clean = text.replace(/[\s\u00a0\u202f]/g, "");
    if (clean.indexOf(",") !== -1 && clean.indexOf(".") !== -1) {
      clean = clean.lastIndexOf(",") > clean.lastIndexOf(".") ? clean.replace(/\./g, "").replace(",", ".") : clean.replace(/,/g, "");
    } else {
      clean = clean.replace(",", ".");
    }
    if (!/^[0-9]+(\.[0-9]+)?$/.test(clean)) {
      return 0;
    }
    return Math.round(Number(clean) * 100);
  }

  function filter() {
    var words = normalise(search.value).split(/[^a-z0-9]+/).filter(Boolean);
    table.querySelectorAll("tbody").forEach(function (group) {
      var visible = 0;
      group.querySelectorAll("tr[data-search]").forEach(function (row) {
        var text = row.getAttribute("data-search");
        var picked = row.querySelector("input").value.trim() !== "";
        var match = picked || words.every(function (word) { return text.indexOf(word) !== -1; });
        row.classList.toggle("d-none", !match);
        if (match) {
          visible += 1;
        }
      });
      group.classList.toggle("d-none", visible === 0);
    });
  }

  function total() {
    var cents = 0;
    table.querySelectorAll("input[data-price]").forEach(function (input) {
      var quantity = hundredths(input.value);
      var price = hundredths(input.getAttribute("data-price"));
      var line = Math.round((quantity * price) / 100);
      input.closest("tr").querySelector(".line-total").textContent = line ? euros.format(line / 100) : "";
      cents += line;
    });
    totalOutput.textContent = cents ? euros.format(cents / 100) : "—";
    if (remainingBox && leftOutput) {
      var left = hundredths(remainingBox.getAttribute("data-remaining").replace("-", "")) * (remainingBox.getAttribute("data-remaining").charAt(0) === "-" ? -1 : 1);
      leftOutput.textContent = cents ? "(" + euros.format((left - cents) / 100) + " " + (leftOutput.getAttribute("data-after") || "") + ")" : "";
    }
  }

  document.getElementById("catalogue-search-form").addEventListener("submit", function (event) {
    event.preventDefault();
    filter();
  });
  search.addEventListener("input", filter);
  table.addEventListener("input", total);
  filter();
  total();
})();
