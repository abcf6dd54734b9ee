/* Progressive enhancements. Everything works without this file:
   - the main menu stays open on small screens (no button is shown);
   - the error summary is still the first thing in the form and the page
     title starts with "Error:";
   - a public form sent without its anti-spam token is shown again with one,
     and sending it a second time works (home/antispam.py). */
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

    /* Pages are cached, so a form's "started" field is empty in the HTML; fetch a
       fresh token (never cached) when the form is first shown or focused. A
       token kept for hours is renewed on the next focus. If the fetch fails the
       field stays empty and the server asks the person to send the form again. */
    function setUpFormStarted() {
        var RENEW_AFTER_MS = 6 * 60 * 60 * 1000;
        var inputs = document.querySelectorAll("input[data-started-url]");
        Array.prototype.forEach.call(inputs, function (input) {
            var form = input.form;
            var fetchedAt = input.value ? Date.now() : 0;
            var pending = false;
            if (!form || !window.fetch) {
                return;
            }

            function load() {
                if (pending || (fetchedAt && Date.now() - fetchedAt < RENEW_AFTER_MS)) {
                    return;
                }
                pending = true;
                fetch(input.getAttribute("data-started-url"), {
                    cache: "no-store",
                    credentials: "same-origin",
                    headers: { Accept: "application/json" }
                }).then(function (response) {
                    return response.ok ? response.json() : null;
                }).then(function (data) {
                    if (data && typeof data.token === "string") {
                        input.value = data.token;
                        fetchedAt = Date.now();
                    }
                }).catch(function () {
                    /* Left empty: the server asks for a second send. */
                }).then(function () {
                    pending = false;
                });
            }

            form.addEventListener("focusin", load);
            if (fetchedAt) {
                return;  /* shown again by the server with a token of its own */
            }
            if ("IntersectionObserver" in window) {
                var observer = new IntersectionObserver(function (entries) {
                    if (entries.some(function (entry) { return entry.isIntersecting; })) {
                        observer.disconnect();
                        load();
                    }
                });
                observer.observe(form);
            } else {
                load();
            }
        });
    }

    setUpMenu();
    focusErrorSummary();
    setUpFormStarted();
})();
