// The inbox keeps up without reloads. Every page works without this script (a refresh link
// stands in for it): it only polls the inbox's JSON and updates the thread list, an open
// thread's messages and the reply box's text-message counter. Resident text is only ever
// written with textContent, never as HTML.
(function () {
  "use strict";
  if (!window.fetch || !document.querySelector) { return; }

  function node(tag, className, text) {
    var element = document.createElement(tag);
    if (className) { element.className = className; }
    if (text !== undefined && text !== null) { element.textContent = text; }
    return element;
  }

  function getJson(url) {
    return fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) {
        if (response.status === 401) {
          var error = new Error("signed out");
          error.signedOut = true;
          throw error;
        }
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      });
  }

  // Run `task` every `seconds`, one at a time; stop for good once signed out.
  function every(seconds, task, status) {
    function run() {
      task().then(next, function (error) {
        if (error && error.signedOut) {
          if (status) { status.textContent = "You have been signed out. Reload the page to sign in again."; }
          return;
        }
        next();
      });
    }
    function next() { window.setTimeout(run, seconds * 1000); }
    next();
  }

  // -- the thread list ---------------------------------------------------------------------
  var list = document.getElementById("thread-list");
  if (list) {
    var listStatus = document.getElementById("list-status");
    var empty = document.getElementById("no-threads");
    var total = document.getElementById("unread-total");
    var known = {};
    var unreadBefore = 0;
    Array.prototype.forEach.call(list.querySelectorAll("tbody tr"), function (row) {
      known[row.getAttribute("data-thread")] = true;
      var marker = row.querySelector(".tag--new");
      if (marker) { unreadBefore += parseInt(marker.textContent, 10) || 0; }
    });
    var lastSeen = null;

    var cell = function (label, text) {
      var td = node("td", null, text);
      td.setAttribute("data-label", label);
      return td;
    };

    var renderRow = function (row) {
      var tr = node("tr");
      tr.setAttribute("data-thread", String(row.id));
      var first = cell("Thread");
      var link = node("a", null, row.label);
      link.href = row.url;
      first.appendChild(link);
      if (row.unread) {
        first.appendChild(document.createTextNode(" "));
        var marker = node("span", "tag tag--new", row.unread + " new");
        marker.appendChild(node("span", "visually-hidden", row.unread === 1 ? " message" : " messages"));
        first.appendChild(marker);
      }
      row.tags.forEach(function (tag) {
        first.appendChild(document.createTextNode(" "));
        first.appendChild(node("span", tag.urgent ? "tag tag--urgent" : "tag", tag.text));
      });
      var page = node("a", "row-link", "Their page");
      page.href = row.resident_url;
      page.appendChild(node("span", "visually-hidden", ": " + row.label));
      first.appendChild(page);
      tr.appendChild(first);
      tr.appendChild(cell("Waited", row.waited));
      tr.appendChild(cell("Need", row.need));
      tr.appendChild(cell("Channel", row.channel));
      tr.appendChild(cell("Ward", row.ward));
      tr.appendChild(cell("With", row["with"]));
      return tr;
    };

    var pollList = function () {
      return getJson(list.getAttribute("data-poll")).then(function (data) {
        var seen = JSON.stringify(data.threads);
        if (seen === lastSeen) { return; }
        lastSeen = seen;
        // Keep a keyboard user's place: the same link has focus after the update.
        var focused = list.contains(document.activeElement) ? document.activeElement.getAttribute("href") : null;
        var body = list.querySelector("tbody");
        var fresh = node("tbody");
        var unread = 0, arrived = [];
        data.threads.forEach(function (row) {
          fresh.appendChild(renderRow(row));
          unread += row.unread;
          if (!known[row.id]) { arrived.push(row.label); }
          known[row.id] = true;
        });
        list.replaceChild(fresh, body);
        list.hidden = data.threads.length === 0;
        if (empty) { empty.hidden = data.threads.length !== 0; }
        var count = document.getElementById("list-count");
        if (count && data.total !== undefined) {
          var first = data.first;
          count.hidden = data.threads.length === 0;
          count.textContent = "Showing " + first + " to " + (first + data.threads.length - 1) +
            " of " + data.total + (data.total === 1 ? " thread" : " threads");
        }
        if (total) { total.textContent = data.unread ? " (" + data.unread + " new)" : ""; }
        if (focused) {
          var again = list.querySelector('a[href="' + focused + '"]');
          if (again) { again.focus(); }
        }
        var said = [];
        if (arrived.length) { said.push("New thread: " + arrived.join(", ") + "."); }
        if (unread > unreadBefore) { said.push((unread - unreadBefore) + " new message" + (unread - unreadBefore === 1 ? "" : "s") + "."); }
        unreadBefore = unread;
        if (said.length && listStatus) { listStatus.textContent = said.join(" "); }
      });
    };
    every(parseInt(list.getAttribute("data-poll-seconds"), 10) || 10, pollList, listStatus);
  }

  // -- an open thread ----------------------------------------------------------------------
  var messages = document.getElementById("thread-messages");
  if (messages) {
    var after = parseInt(messages.getAttribute("data-after"), 10) || 0;
    var addMessage = function (message) {
      if (message.id <= after) { return; }
      after = message.id;
      var item = node("li", "message message--" + message.author);
      var from = node("span", "message__from", message.meta);
      if (message.status) {
        from.appendChild(document.createTextNode(" · "));
        from.appendChild(node("span", "delivery", message.status));
      }
      item.appendChild(from);
      item.appendChild(node("span", "message__text", message.text));
      var latest = document.getElementById("latest");
      if (latest) { latest.removeAttribute("id"); }
      item.id = "latest";
      messages.appendChild(item);
    };
    every(parseInt(messages.getAttribute("data-poll-seconds"), 10) || 10, function () {
      var url = messages.getAttribute("data-poll") + "?after=" + after + (document.hidden ? "&seen=0" : "");
      return getJson(url).then(function (data) {
        data.messages.forEach(addMessage);
      });
    });
  }

  // -- the reply box: text messages, counted as frontdoor/sms_segments.py counts them --
  var box = document.getElementById("reply-body");
  var counter = document.getElementById("reply-count");
  if (box && counter && box.getAttribute("data-gsm")) {
    var basic = {}, extended = {};
    Array.prototype.forEach.call(box.getAttribute("data-gsm"), function (ch) { basic[ch] = true; });
    Array.prototype.forEach.call(box.getAttribute("data-gsm-extended"), function (ch) { extended[ch] = true; });
    basic["\n"] = basic["\r"] = true;
    var maxSegments = parseInt(box.getAttribute("data-max-segments"), 10) || 3;
    var spoken = document.getElementById("reply-count-status");
    var quiet = null;

    var describe = function (text) {
      var gsm = true, septets = 0;
      for (var i = 0; i < text.length; i += 1) {
        var ch = text.charAt(i);
        if (basic[ch]) { septets += 1; } else if (extended[ch]) { septets += 2; } else { gsm = false; break; }
      }
      // UCS-2: UTF-16 code units, which is what a JavaScript string's length counts.
      var units = gsm ? septets : text.length;
      var single = gsm ? 160 : 70, multi = gsm ? 153 : 67;
      var segments = units <= single ? 1 : Math.ceil(units / multi);
      var words = units + " characters: " + segments + (segments === 1 ? " text message." : " text messages.");
      if (!gsm) { words += " It has characters outside the basic text alphabet, so each text holds fewer."; }
      if (segments > maxSegments) { words += " That is more than " + maxSegments + ": shorten it if you can."; }
      return {words: words, over: segments > maxSegments};
    };
    window.frontdoorDescribeSms = function (text) { return describe(text).words; };

    var update = function () {
      var result = describe(box.value);
      counter.textContent = result.words;
      counter.classList.toggle("count--over", result.over);
      // Screen readers hear the count once typing pauses, not on every key.
      if (spoken) {
        window.clearTimeout(quiet);
        quiet = window.setTimeout(function () { spoken.textContent = result.words; }, 1000);
      }
    };
    box.addEventListener("input", update);
  }
}());
