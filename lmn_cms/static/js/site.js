/* Progressive enhancements. Everything works without this file:
   - the main menu stays open on small screens (no button is shown);
   - the error summary is still the first thing in the form and the page
     title starts with "Error:". */
(function () {
    "use strict";

    function setUpMenu() {
        var toggle = document.querySelector("[data-menu-toggle]");
        var nav = document.getElementById(toggle ? toggle.getAttribute("aria-controls") : "");
        if (!toggle || !nav) {
            return;
        }
        var wide = window.matchMedia("(min-width: 64em)");

        function setOpen(open) {
            toggle.setAttribute("aria-expanded", open ? "true" : "false");
            nav.setAttribute("data-open", open ? "true" : "false");
        }

        toggle.hidden = false;
        setOpen(false);

        toggle.addEventListener("click", function () {
            setOpen(toggle.getAttribute("aria-expanded") !== "true");
        });

        // Escape closes the open menu and puts focus back on its button.
        document.addEventListener("keydown", function (event) {
            if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true" && !wide.matches) {
                setOpen(false);
                toggle.focus();
            }
        });
    }

    function focusErrorSummary() {
        var summary = document.querySelector("[data-error-summary]");
        if (summary) {
            summary.focus();
        }
    }

    setUpMenu();
    focusErrorSummary();
})();
