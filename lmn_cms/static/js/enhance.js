/* Loaded in <head> before the page paints: marks the document as having
   JavaScript so that CSS can fold the mobile menu behind its button without a
   flash of the open menu. Without JavaScript the menu simply stays open. */
document.documentElement.classList.replace("no-js", "js");
