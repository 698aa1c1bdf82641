// The portal's own behaviour. Kept in a file (no inline script, no hx-on attributes), because the
// Content-Security-Policy allows scripts from the portal's origin only.
"use strict";

// Inside an element marked data-swap-client-errors, a 4xx answer (a form with its German error
// message) replaces the content like a success would; htmx would otherwise drop it.
document.addEventListener("htmx:beforeSwap", function (event) {
  var status = event.detail.xhr.status;
  if (status >= 400 && status < 500 && event.target.closest("[data-swap-client-errors]")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// "Zurück" links: back in the history where there is one, else to the link's own address.
document.addEventListener("click", function (event) {
  var link = event.target.closest("a[data-history-back]");
  if (link && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});
