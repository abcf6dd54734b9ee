/*
 * Counts one view of this post: sends a small same-origin beacon once the page is
 * actually visible (not when it is prerendered or opened in a background tab).
 * The server decides whether it counts; this script holds no data about the reader.
 */
(function () {
    "use strict";
    var script = document.currentScript;
    if (!script) {
        return;
    }
    var url = script.getAttribute("data-beacon-url");
    var body = JSON.stringify({
        page: parseInt(script.getAttribute("data-page"), 10),
        token: script.getAttribute("data-token"),
    });
    var sent = false;

    function send() {
        if (sent || document.visibilityState !== "visible") {
            return;
        }
        sent = true;
        // text/plain keeps the request "simple": no preflight, just one POST.
        var blob = new Blob([body], { type: "text/plain" });
        if (navigator.sendBeacon && navigator.sendBeacon(url, blob)) {
            return;
        }
        if (window.fetch) {
            window.fetch(url, {
                method: "POST",
                body: blob,
                credentials: "same-origin",
                keepalive: true,
            }).catch(function () {});
        }
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", send);
    } else {
        send();
    }
    document.addEventListener("visibilitychange", send);
})();
