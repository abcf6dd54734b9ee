/* "Blur flagged text" toggle for the comment moderation screens.
   Blurring is on by default; the choice is remembered in this browser.
   Without JavaScript the text is shown unblurred and the button is hidden. */
(function () {
    "use strict";

    var KEY = "lmn-comments-blur";

    function setUp() {
        var toggle = document.querySelector("[data-comments-blur-toggle]");
        var scope = document.querySelector("[data-comments-blur-scope]");
        if (!toggle || !scope) {
            return;
        }
        var stored = null;
        try {
            stored = window.localStorage.getItem(KEY);
        } catch (error) {
            stored = null;
        }

        function apply(on) {
            scope.setAttribute("data-comments-blur", on ? "on" : "off");
            toggle.setAttribute("aria-pressed", on ? "true" : "false");
            try {
                window.localStorage.setItem(KEY, on ? "on" : "off");
            } catch (error) {
                /* private browsing: the choice lasts for this page only */
            }
        }

        toggle.hidden = false;
        apply(stored !== "off");
        toggle.addEventListener("click", function () {
            apply(toggle.getAttribute("aria-pressed") !== "true");
        });
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", setUp);
    } else {
        setUp();
    }
})();
