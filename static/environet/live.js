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
  var query = "?after=" + encodeURIComponent(body.dataset.liveAfter || "");
  if (thread) { query += "&thread=" + encodeURIComponent(thread); }
  var source = new EventSource(url + query);
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
    if (existing) { existing.replaceWith(article); } else { document.getElementById("messages").appendChild(article); }
    if (!existing && !document.hidden) { markRead(event.message); }
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
  source.addEventListener("message", onMessage("message"));
  source.addEventListener("message.changed", onMessage("message.changed"));
  // A notice for this person only (a related seizure record, a record matching a search they follow).
  source.addEventListener("notice", function (raw) {
    var event = JSON.parse(raw.data);
    notice(event.text, event.url);
  });
  source.addEventListener("receipt", function (raw) {
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
  });
})();
