// The top bar's "Administration" menu is a <details>: it opens and closes without script. With script, it also
// closes as menus do elsewhere: on Escape (the focus back on its summary) and on a click outside it.
(function () {
  "use strict";
  function openMenus() { return document.querySelectorAll("header.top details.menu[open]"); }
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    openMenus().forEach(function (menu) {
      var inside = menu.contains(document.activeElement);
      menu.open = false;
      if (inside) { menu.querySelector("summary").focus(); }
    });
  });
  document.addEventListener("click", function (event) {
    openMenus().forEach(function (menu) {
      if (!menu.contains(event.target)) { menu.open = false; }
    });
  });
})();
