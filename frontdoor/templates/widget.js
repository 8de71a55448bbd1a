// frontdoor chat widget: <script src=".../chat/widget.js" defer></script> on any page adds
// a "Chat with us" button that opens the council's web chat in an accessible dialog
// (add ?lang=cy to the script's address for Welsh, where the council offers it).
(function () {
  "use strict";
  var url = {{ chat_url|tojson }};
  var label = {{ _("Chat with Local Area Coordination")|tojson }};
  var button = document.createElement("button");
  button.type = "button";
  button.textContent = label;
  button.setAttribute("aria-haspopup", "dialog");
  button.style.cssText = "position:fixed;right:1rem;bottom:1rem;z-index:2147483000;font:bold 1.1rem Arial,sans-serif;" +
    "padding:.75rem 1rem;min-height:44px;color:#fff;background:#00703c;border:0;box-shadow:0 2px 0 #002d18;cursor:pointer";
  var dialog = document.createElement("dialog");
  dialog.setAttribute("aria-label", label);
  dialog.style.cssText = "width:min(28rem,95vw);height:min(40rem,90vh);padding:0;border:2px solid #0b0c0c";
  var close = document.createElement("button");
  close.type = "button";
  close.textContent = {{ _("Close chat")|tojson }};
  close.style.cssText = "display:block;margin-left:auto;font:bold 1rem Arial,sans-serif;min-height:44px;padding:.5rem 1rem";
  var frame = document.createElement("iframe");
  frame.title = label;
  frame.style.cssText = "width:100%;height:calc(100% - 48px);border:0";
  dialog.appendChild(close);
  dialog.appendChild(frame);
  button.addEventListener("click", function () {
    if (!frame.src) { frame.src = url; }
    dialog.showModal();
  });
  close.addEventListener("click", function () { dialog.close(); button.focus(); });
  document.body.appendChild(button);
  document.body.appendChild(dialog);
}());
