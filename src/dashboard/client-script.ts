// The dashboard's only script, served from /assets: the copy button next to a token shown once.
// Everything else works without JavaScript.
export const CLIENT_SCRIPT = `
document.addEventListener('click', function (event) {
  var button = event.target instanceof Element ? event.target.closest('[data-copy-target]') : null;
  if (!button) return;
  var field = document.getElementById(button.getAttribute('data-copy-target'));
  var status = document.getElementById(button.getAttribute('data-copy-status'));
  if (!field) return;
  function done(message) { if (status) status.textContent = message; }
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(function () { done('Copied'); }, function () { fallback(); });
  } else {
    fallback();
  }
  function fallback() {
    field.focus();
    field.select();
    try { done(document.execCommand('copy') ? 'Copied' : 'Press Ctrl+C to copy'); } catch (e) { done('Press Ctrl+C to copy'); }
  }
});
`;
