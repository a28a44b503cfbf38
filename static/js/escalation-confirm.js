// Ask for confirmation before activating or closing a crisis (buttons with data-escalation-confirm).
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  if (!button || !button.dataset || !button.dataset.escalationConfirm) return;
  if (!window.confirm(button.dataset.escalationConfirm)) event.preventDefault();
});
