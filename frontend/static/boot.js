// Loads the WebAssembly app. A separate file (not an inline script) so a strict
// Content-Security-Policy can forbid inline scripts.
document.body.classList.add('js-enabled', 'govuk-frontend-supported');
import init from '/pkg/frontend.js';
init().catch((error) => {
  const p = document.createElement('p');
  p.className = 'govuk-body';
  p.setAttribute('role', 'alert');
  p.textContent = 'SEND Planner could not start in this browser: ' + error;
  document.body.append(p);
});
