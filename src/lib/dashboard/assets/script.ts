/**
 * The Dashboard's one script, served from /dashboard/assets (the CSP allows no inline script). Every
 * page works without it; it only asks before a destructive form is sent and ticks a checklist at once.
 */
export const SCRIPT = `'use strict';
document.addEventListener('submit', function (event) {
  var button = event.submitter;
  var question = (button && button.getAttribute('data-confirm')) || event.target.getAttribute('data-confirm');
  if (question && !window.confirm(question)) event.preventDefault();
});
document.addEventListener('change', function (event) {
  var box = event.target;
  if (!box.matches || !box.matches('input[data-check-all]')) return;
  var boxes = document.querySelectorAll('input[name="' + box.getAttribute('data-check-all') + '"]');
  for (var i = 0; i < boxes.length; i++) if (!boxes[i].disabled) boxes[i].checked = box.checked;
});
document.addEventListener('DOMContentLoaded', function () {
  var all = document.querySelectorAll('[data-js-only]');
  for (var i = 0; i < all.length; i++) all[i].hidden = false;
});
`
