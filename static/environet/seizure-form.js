// The seizure form (seizures/edit.html). Without this script everything still works: every transport group
// is shown, the error summary takes the focus by its autofocus attribute, and the species field takes free
// text, checked by the server.
(function () {
  "use strict";

  // After an error: the summary takes the focus, so the viewport and screen readers go there.
  var summary = document.getElementById("error-summary");
  if (summary && document.activeElement !== summary) { summary.focus(); }

  // The vessel, flight and vehicle groups: only the ones that fit the chosen mode of transport are shown.
  // Hidden groups keep what was typed (the server does not save it while the mode does not fit).
  var mode = document.getElementById("id_transport_mode");
  var groups = document.querySelectorAll("[data-transport-modes]");
  function words(text) { return (text || "").split(" ").filter(Boolean); }
  function showGroups() {
    var chosen = mode.value;
    groups.forEach(function (group) {
      var fits = words(group.dataset.transportModes).indexOf(chosen) >= 0 ||
        words(group.dataset.anyModes).indexOf(chosen) >= 0 || chosen === "";
      // A group holding an error stays visible, so the summary's link to it still leads somewhere.
      group.hidden = !fits && !group.querySelector("[aria-invalid=true]");
    });
  }
  if (mode && groups.length) {
    mode.addEventListener("change", showGroups);
    showGroups();
  }
})();
