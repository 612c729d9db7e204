// A form came back with errors: take the keyboard and the screen reader to the summary of what went wrong
// (includes/error_summary.html), and from a link in it to the field, scrolled to its label.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) {
    return;
  }
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) {
      return;
    }
    var field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!field) {
      return;
    }
    event.preventDefault();
    var label = document.querySelector("label[for='" + field.id + "']") || field.closest("fieldset");
    (label || field).scrollIntoView();
    field.focus({ preventScroll: true });
  });
})();
