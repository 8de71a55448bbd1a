// Web chat without reloads. The page works without this script: it only takes over the
// form, posts through the JSON API and polls for new messages (a coordinator's replies
// too). Every message is rendered with textContent: resident text is never HTML.
(function () {
  "use strict";
  var list = document.getElementById("messages");
  var form = document.getElementById("chat-form");
  var input = document.getElementById("chat-text");
  var errorBox = document.getElementById("chat-error");
  // "Exit this page" (GOV.UK's pattern): press Shift three times to leave at once.
  var exitLink = document.getElementById("exit-this-page");
  if (exitLink) {
    var shifts = 0, shiftTimer = null;
    document.addEventListener("keyup", function (event) {
      if (event.key !== "Shift") { return; }
      shifts += 1;
      window.clearTimeout(shiftTimer);
      shiftTimer = window.setTimeout(function () { shifts = 0; }, 1000);
      if (shifts >= 3) { window.sessionStorage.clear(); window.location.replace(exitLink.href); }
    });
    exitLink.addEventListener("click", function () { window.sessionStorage.clear(); });
  }
  // The token lives only as long as this tab: a shared computer's next user starts afresh.
  if (!list || !form || !window.fetch || !window.sessionStorage) { return; }
  var KEY = "frontdoor-chat-token";
  var base = form.getAttribute("action");
  var pollSeconds = parseInt(list.getAttribute("data-poll-seconds"), 10) || 4;
  var token = window.sessionStorage.getItem(KEY);
  // Words the page was served in (Welsh or English), for the errors this script shows.
  var said = {
    empty: list.getAttribute("data-error-empty") || "Type a message before sending.",
    failed: list.getAttribute("data-error-failed") || "Something went wrong. Please try again.",
    noConversation: list.getAttribute("data-error-no-conversation") ||
      "Send us a message first, then you can link your phone."
  };
  var language = list.getAttribute("data-language") || "en";
  var lastId = 0;
  var seen = {};
  var sending = false;

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = !text;
    if (text) { input.setAttribute("aria-invalid", "true"); input.setAttribute("aria-describedby", "chat-error"); }
    else { input.removeAttribute("aria-invalid"); input.removeAttribute("aria-describedby"); }
  }

  function add(message) {
    if (seen[message.id]) { return; }
    seen[message.id] = true;
    lastId = Math.max(lastId, message.id);
    var item = document.createElement("li");
    item.className = "message message--" + message.author;
    item.setAttribute("data-id", String(message.id));
    var from = document.createElement("span");
    from.className = "message__from";
    from.textContent = message.from;
    var text = document.createElement("span");
    text.className = "message__text";
    text.textContent = message.text;
    item.appendChild(from);
    item.appendChild(text);
    list.appendChild(item);
    item.scrollIntoView({block: "nearest"});
  }

  function api(method, path, body) {
    var headers = {"Accept": "application/json"};
    if (token) { headers["Authorization"] = "Bearer " + token; }
    if (body) { headers["Content-Type"] = "application/json"; }
    return fetch(base + path, {method: method, headers: headers, credentials: "omit",
                               body: body ? JSON.stringify(body) : undefined})
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (!response.ok) {
            var err = new Error((data.error && data.error.message) || said.failed);
            err.status = response.status;
            throw err;
          }
          return data;
        });
      });
  }

  function start() {
    return api("POST", "/api/conversations", {language: language}).then(function (data) {
      token = data.token;
      window.sessionStorage.setItem(KEY, token);
    });
  }

  function poll() {
    if (!token) { return Promise.resolve(); }
    return api("GET", "/api/messages?after=" + lastId).then(function (data) {
      data.messages.forEach(add);
    }).catch(function (err) {
      if (err.status === 401) { token = null; window.sessionStorage.removeItem(KEY); }
    });
  }

  function resume() {
    if (!token) { return; }
    // The page's language link was followed: this conversation is answered in it now.
    if (/[?&]lang=/.test(window.location.search)) {
      api("POST", "/api/language", {language: language}).catch(function () {});
    }
    // A conversation from an earlier visit in this browser: show it in place of the greeting.
    api("GET", "/api/messages?after=0").then(function (data) {
      if (data.messages.length) {
        while (list.firstChild) { list.removeChild(list.firstChild); }
        data.messages.forEach(add);
      }
    }).catch(function (err) {
      if (err.status === 401) { token = null; window.sessionStorage.removeItem(KEY); }
    });
  }

  // One id per message typed: sending it again after a dropped connection is stored once.
  var pendingText = null, pendingId = null;
  function newId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    if (!text.trim()) { showError(said.empty); input.focus(); return; }
    if (sending) { return; }
    sending = true;
    showError("");
    if (text !== pendingText) { pendingText = text; pendingId = newId(); }
    (token ? Promise.resolve() : start()).then(function () {
      return api("POST", "/api/messages", {text: text, client_id: pendingId});
    }).then(function (data) {
      pendingText = null;
      input.value = "";
      data.messages.forEach(add);
    }).catch(function (err) {
      showError(err.message);
    }).then(function () { sending = false; input.focus(); });
  });

  // Linking a mobile phone: the same two forms, through the API with this chat's token.
  var phoneForm = document.getElementById("phone-form");
  var codeForm = document.getElementById("code-form");
  var phoneSaid = document.getElementById("phone-said");
  function linkStep(form, path, field, done) {
    if (!form) { return; }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!token) { phoneSaid.textContent = said.noConversation; return; }
      var body = {};
      body[field] = form.elements[field].value;
      api("POST", path, body).then(function (data) {
        phoneSaid.textContent = data.message;
        done();
      }).catch(function (err) { phoneSaid.textContent = err.message; });
    });
  }
  linkStep(phoneForm, "/api/phone", "phone", function () {
    codeForm.hidden = false;
    codeForm.elements.code.focus();
  });
  linkStep(codeForm, "/api/phone/code", "code", function () {
    codeForm.hidden = true;
    codeForm.elements.code.value = "";
  });

  resume();
  window.setInterval(poll, pollSeconds * 1000);
}());
