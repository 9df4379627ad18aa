// Move focus to the error summary after a refused submit, so that keyboard and
// screen-reader users hear that the form needs corrections (RGAA 11.10).
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("form-errors");
  if (summary) {
    summary.focus();
  }
});
