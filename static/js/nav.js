// On a phone the main menu folds behind one "Menu" button, so the page's own content comes first.
// The button says whether the menu is open (aria-expanded); Escape closes it and returns focus.
// Without this script the menu simply stays open.
(function () {
  "use strict";
  var small = window.matchMedia("(max-width: 48rem)");
  document.addEventListener("DOMContentLoaded", function () {
    var nav = document.querySelector("[data-nzr-nav]");
    if (!nav) return;
    var button = nav.querySelector(".nzr-nav__toggle");
    var list = nav.querySelector(".nzr-nav__list");
    nav.classList.add("nzr-nav--folding");
    function set(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      if (open || !small.matches) list.removeAttribute("hidden");
      else list.setAttribute("hidden", "");
    }
    set(!small.matches);
    button.addEventListener("click", function () {
      set(button.getAttribute("aria-expanded") !== "true");
    });
    nav.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && small.matches && button.getAttribute("aria-expanded") === "true") {
        set(false);
        button.focus();
      }
    });
    small.addEventListener("change", function () { set(!small.matches); });
  });
})();
