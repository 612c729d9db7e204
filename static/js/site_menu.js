// The header menu on narrow screens: the "Menu" button opens and closes the navigation under the header.
// Loaded in <head>, not deferred: the "has-site-menu" class on <html> hides the menu before it is drawn.
// Without JavaScript the class is never set, the button stays hidden and the navigation shows under the
// header (site.css).
(function () {
  "use strict";
  document.documentElement.classList.add("has-site-menu");

  function setOpen(toggle, menu, open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("is-open", open);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.querySelector("[data-site-menu-toggle]");
    var menu = document.querySelector("[data-site-menu]");
    if (!toggle || !menu) {
      return;
    }
    toggle.addEventListener("click", function () {
      setOpen(toggle, menu, toggle.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
        setOpen(toggle, menu, false);
        toggle.focus();
      }
    });
  });
})();
