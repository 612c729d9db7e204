/* Small enhancements of the catalogue and product pages; both work fully without this file.

   - [data-filter-panel]: the filters (a <details>, open without JavaScript) start folded on narrow screens,
     so the results come first on a phone.
   - [data-catalogue-filters]: empty fields (and selects showing their default, data-omit-value) are left
     out of the submitted URL, so that shared and bookmarked links stay short. Filters are applied with the
     submit button only: nothing submits itself when a box is ticked.
   - [data-gallery]: choosing a thumbnail shows it in the large picture instead of opening the file (in its
     own proportions: data-width and data-height). */
(function () {
  "use strict";

  var panel = document.querySelector("[data-filter-panel]");
  if (panel && window.matchMedia("(max-width: 991.98px)").matches) {
    panel.removeAttribute("open");
  }

  var form = document.querySelector("[data-catalogue-filters]");
  if (form) {
    form.addEventListener("submit", function () {
      Array.prototype.forEach.call(form.elements, function (element) {
        if (!element.name || element.disabled) {
          return;
        }
        var omit = element.getAttribute("data-omit-value");
        var isDefault = omit !== null && element.value === omit;
        if ((element.value === "" && element.type !== "checkbox") || isDefault) {
          element.disabled = true;
          element.setAttribute("data-omitted", "");
        }
      });
    });
    // Coming back with the browser's back button shows the page from its cache: make the fields usable again.
    window.addEventListener("pageshow", function () {
      Array.prototype.forEach.call(form.elements, function (element) {
        if (element.hasAttribute("data-omitted")) {
          element.disabled = false;
          element.removeAttribute("data-omitted");
        }
      });
    });
  }

  document.querySelectorAll("[data-gallery]").forEach(function (gallery) {
    var main = gallery.querySelector("[data-gallery-main]");
    var thumbs = gallery.querySelectorAll("[data-gallery-thumb]");
    thumbs.forEach(function (thumb) {
      thumb.addEventListener("click", function (event) {
        var picture = thumb.querySelector("img");
        if (!main || !picture) {
          return;
        }
        event.preventDefault();
        main.src = thumb.getAttribute("href");
        main.alt = picture.alt;
        // The picture keeps its own proportions: its place is sized from the chosen one's.
        if (thumb.hasAttribute("data-width")) {
          main.setAttribute("width", thumb.getAttribute("data-width"));
          main.setAttribute("height", thumb.getAttribute("data-height"));
        }
        thumbs.forEach(function (other) {
          other.removeAttribute("aria-current");
        });
        thumb.setAttribute("aria-current", "true");
      });
    });
  });
})();
