// Live updates for signed-in pages: new messages in the open thread, unread counts, alert notices.
// The browser's EventSource reconnects by itself and sends the last event id, so nothing is lost.
(function () {
  "use strict";
  var body = document.body;
  var url = body.dataset.liveUrl;
  if (!url || !window.EventSource) { return; }
  var thread = body.dataset.liveThread;
  // Start after the newest event the page already reflects; on reconnection the browser sends the
  // last event id it received itself, which the server prefers.
  var lastId = body.dataset.liveAfter || "";
  var token = document.querySelector('meta[name="csrf-token"]');

  function notice(text, href) {
    var box = document.getElementById("live-notice");
    if (!box) { return; }
    box.textContent = "";
    var link = document.createElement("a");
    link.href = href;
    link.textContent = text;
    box.appendChild(link);
    box.hidden = false;
  }

  // How live delivery is going, said on the page (texts in the page's language, from the template):
  // "interrupted" while the browser reconnects to the server, "paused" when the server turned the stream
  // away (it is tried again later), "delayed" while the server reads new events from the database because
  // its relay is out of reach, and "back" once all is well again.
  var status = document.getElementById("live-status");
  var troubled = false;
  var interruption = null;
  var clearing = null;
  function say(state) {
    if (!status) { return; }
    window.clearTimeout(clearing);
    status.textContent = status.dataset[state] || "";
    status.className = "live-status " + state;
    status.hidden = false;
    troubled = state !== "back";
    if (!troubled) { clearing = window.setTimeout(function () { status.hidden = true; }, 8000); }
  }
  function connected() {
    window.clearTimeout(interruption);
    interruption = null;
    if (troubled) { say("back"); }
  }
  function dropped() {
    // Streams end now and then (a session check, a server restart) and the browser reconnects within
    // seconds: only a connection still down after a while is worth a word.
    if (interruption === null) {
      interruption = window.setTimeout(function () { interruption = null; say("interrupted"); }, 6000);
    }
  }

  function markRead(messageId) {
    if (!body.dataset.readUrl || !token) { return; }
    var form = new FormData();
    form.append("message", messageId);
    fetch(body.dataset.readUrl, {method: "POST", body: form, credentials: "same-origin",
      headers: {"X-CSRFToken": token.content}});
  }

  function place(event) {
    var holder = document.createElement("div");
    holder.innerHTML = event.html;  // rendered and sanitised by the server
    var article = holder.firstElementChild;
    var existing = document.getElementById("message-" + event.message);
    if (existing) { existing.replaceWith(article); return; }
    var list = document.getElementById("messages");
    if (list.hasAttribute("data-not-latest")) {
      // An earlier page of the thread: new messages belong to the latest page; say they have arrived.
      var newer = document.getElementById("newer-messages");
      if (newer) { newer.hidden = false; }
      return;
    }
    list.appendChild(article);
    if (!document.hidden) { markRead(event.message); }
  }

  function onMessage(kind) {
    return function (raw) {
      var event = JSON.parse(raw.data);
      if (thread && String(event.thread) === thread && document.getElementById("messages")) {
        place(event);
        return;
      }
      if (kind === "message") {
        document.querySelectorAll("[data-unread-topic]").forEach(function (badge) {
          if ((event.topics || []).indexOf(badge.dataset.unreadTopic) >= 0) {
            badge.textContent = String(Number(badge.textContent || "0") + 1);
            badge.hidden = false;
          }
        });
        if (event.alert) { notice("⚠ " + event.marking_label + " " + event.subject + " — " + event.author, "/messages/threads/" + event.thread + "/"); }
      }
    };
  }
  function remember(handler) {
    return function (raw) {
      if (raw.lastEventId) { lastId = raw.lastEventId; }
      handler(raw);
    };
  }

  function showNotice(raw) {
    // A notice for this person only (a related seizure record, a record matching a search they follow).
    var event = JSON.parse(raw.data);
    notice(event.text, event.url);
  }

  function connect() {
    var query = "?after=" + encodeURIComponent(lastId);
    if (thread) { query += "&thread=" + encodeURIComponent(thread); }
    var source = new EventSource(url + query);
    source.addEventListener("message", remember(onMessage("message")));
    source.addEventListener("message.changed", remember(onMessage("message.changed")));
    source.addEventListener("notice", remember(showNotice));
    source.addEventListener("receipt", remember(showReceipt));
    // The browser retries by itself after a dropped connection, but gives up on an answer other than a
    // stream (a server holding all the streams it can answers 503): then try again later, from the last
    // event received, so nothing is missed meanwhile.
    source.addEventListener("delivery", function (raw) { say(JSON.parse(raw.data).state); });
    source.addEventListener("open", connected);
    source.addEventListener("error", function () {
      if (source.readyState === EventSource.CLOSED) {
        window.clearTimeout(interruption);
        interruption = null;
        say("paused");
        window.setTimeout(connect, 30000 + Math.random() * 30000);
      } else {
        dropped();
      }
    });
  }

  function showReceipt(raw) {
    var event = JSON.parse(raw.data);
    var list = document.getElementById("receipts");
    // The author's other alerts have receipts too: only this page's alert adds a name here.
    if (list && body.dataset.receiptsFor === String(event.message)) {
      var none = list.querySelector(".none");
      if (none) { none.remove(); }
      var item = document.createElement("li");
      item.textContent = event.reader;
      list.appendChild(item);
    }
  }

  connect();
})();
