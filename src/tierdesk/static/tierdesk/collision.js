/* Tierdesk desk: collision detection on a ticket page (docs/realtime.md).

   Opens a WebSocket to the ticket's presence channel, says "viewing" or "typing" (typing while
   the reply box changes, back to viewing after a pause), repeats it as a heartbeat, and lists the
   colleagues it hears of in an aria-live region. A colleague not heard of within the server's
   expiry time, or whose connection says "left", disappears. Reconnects with a growing pause.
   Names are user data: they are set as text, never as HTML. */
(function () {
  "use strict";

  var root = document.querySelector("[data-testid=presence][data-ws-path]");
  if (!root || !("WebSocket" in window)) { return; }

  var REPLY_BOX = '[data-testid="reply-form"] textarea[name="body"]';
  var TYPING_IDLE_MS = 5000;
  var RECONNECT_MIN_MS = 1000;
  var RECONNECT_MAX_MS = 60000;

  var list = root.querySelector("[data-testid=presence-list]");
  var notice = root.querySelector("[data-testid=presence-reply-notice]");
  var heartbeatMs = 15000;
  var expireMs = 35000;
  var others = {};  // connection id -> {id, name, state, expires}
  var shown = "";
  var state = "viewing";
  var socket = null;
  var retryMs = RECONNECT_MIN_MS;
  var heartbeatTimer = null;
  var idleTimer = null;

  function text(name, who) {
    return (root.getAttribute("data-text-" + name) || "").replace("{name}", who || "");
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) { socket.send(JSON.stringify(message)); }
  }

  function announce() { send({ type: "presence", state: state }); }

  function setState(next) {
    if (next === state) { return; }
    state = next;
    announce();
  }

  // One line per colleague (several tabs of one person count once; typing wins), redrawn only
  // when the text changes, so that screen readers are not told the same thing every heartbeat.
  function render() {
    var now = Date.now();
    var people = {};
    Object.keys(others).forEach(function (connection) {
      var other = others[connection];
      if (other.expires < now) { delete others[connection]; return; }
      var known = people[other.id];
      if (!known || other.state === "typing") { people[other.id] = other; }
    });
    var lines = Object.keys(people).map(function (id) {
      var person = people[id];
      return { id: id, state: person.state, text: text(person.state === "typing" ? "typing" : "viewing", person.name) };
    }).sort(function (a, b) { return a.text < b.text ? -1 : (a.text > b.text ? 1 : 0); });
    var key = JSON.stringify(lines);
    if (key === shown) { return; }
    shown = key;
    while (list.firstChild) { list.removeChild(list.firstChild); }
    lines.forEach(function (line) {
      var item = document.createElement("li");
      item.textContent = line.text;
      item.setAttribute("data-testid", "presence-" + line.state);
      item.setAttribute("data-user", line.id);
      list.appendChild(item);
    });
  }

  function showReply(message) {
    var author = message.author;
    notice.textContent = author ? text("reply", author.name) : text("reply-anonymous");
    var box = document.querySelector(REPLY_BOX);
    if (!box || !box.value.trim()) {
      // Nothing typed that a reload could lose: offer it.
      var link = document.createElement("a");
      link.href = root.getAttribute("data-reload-url");
      link.textContent = text("reload");
      notice.appendChild(document.createTextNode(" "));
      notice.appendChild(link);
    }
    notice.hidden = false;
  }

  function handle(message) {
    if (!message || typeof message !== "object") { return; }
    if (message.type === "hello") {
      heartbeatMs = Math.max(1, message.heartbeat_seconds) * 1000;
      expireMs = Math.max(1, message.expire_seconds) * 1000;
      if (state !== "viewing") { announce(); }  // the server announced "viewing" on connect
      clearInterval(heartbeatTimer);
      heartbeatTimer = setInterval(announce, heartbeatMs);
    } else if (message.type === "presence" && message.user) {
      others[message.connection] = {
        id: String(message.user.id), name: message.user.name, state: message.state, expires: Date.now() + expireMs
      };
      render();
    } else if (message.type === "left") {
      delete others[message.connection];
      render();
    } else if (message.type === "reply_added") {
      showReply(message);
    }
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + root.getAttribute("data-ws-path"));
    socket.addEventListener("open", function () { retryMs = RECONNECT_MIN_MS; });
    socket.addEventListener("message", function (event) {
      try { handle(JSON.parse(event.data)); } catch (error) { /* not ours to show */ }
    });
    socket.addEventListener("close", function (event) {
      clearInterval(heartbeatTimer);
      others = {};
      render();
      // 4403: signed out, deactivated or no longer allowed on this ticket; retrying cannot help.
      if (event.code === 4403) { return; }
      // A random share of the pause spreads the reconnects of many pages after a restart.
      var pause = retryMs / 2 + Math.random() * retryMs / 2;
      retryMs = Math.min(retryMs * 2, RECONNECT_MAX_MS);
      setTimeout(connect, pause);
    });
  }

  document.addEventListener("input", function (event) {
    if (!event.target || typeof event.target.matches !== "function" || !event.target.matches(REPLY_BOX)) { return; }
    setState("typing");
    clearTimeout(idleTimer);
    idleTimer = setTimeout(function () { setState("viewing"); }, TYPING_IDLE_MS);
  });

  // The reply was sent (or refused and shown again): the agent is no longer typing.
  document.addEventListener("htmx:afterSwap", function () {
    clearTimeout(idleTimer);
    setState("viewing");
  });

  window.addEventListener("pagehide", function () {
    if (socket) { socket.close(); }
  });

  setInterval(render, 5000);  // forgets colleagues whose heartbeat stopped
  connect();
})();
