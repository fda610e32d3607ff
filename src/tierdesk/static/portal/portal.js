/* Portal: let htmx show the page a refused form comes back with.
 * The views answer a refused action (form error, domain rule) with the whole portal page and
 * a 4xx status; htmx does not swap error responses by default, so the customer would see
 * nothing happen. Other error pages (no portal layout) are left to htmx's default. */
document.addEventListener("htmx:beforeSwap", function (event) {
  var status = event.detail.xhr.status;
  var isPortalPage = (event.detail.serverResponse || "").indexOf('id="portal-main"') !== -1;
  if (status >= 400 && status < 500 && isPortalPage) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
