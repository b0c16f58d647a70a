// Loads the WebAssembly app. A separate file (not an inline script) so a strict
// Content-Security-Policy can forbid inline scripts. Until the app has mounted, index.html's
// header and loading message stay on screen; if the app cannot start, a message says so.
document.body.classList.add('js-enabled', 'govuk-frontend-supported');

const shell = document.getElementById('app-shell');

function fail(error) {
  const status = document.getElementById('app-status');
  if (!status) return;
  status.setAttribute('role', 'alert');
  status.classList.add('app-shell__failed');
  status.textContent = 'SEND Planner could not start in this browser. Reload the page to try again; '
    + 'if it still does not start, use a recent version of Chrome, Edge, Firefox or Safari. '
    + '(' + error + ')';
}

if (typeof WebAssembly !== 'object') {
  fail('this browser cannot run WebAssembly');
} else {
  // A dynamic import, so that a module that fails to load still reaches `fail`.
  import('/pkg/frontend.js')
    .then((app) => app.default())
    .then(() => shell && shell.remove())
    .catch(fail);
}
