// The console shell's keyboard shortcuts and the remembered theme choice.
// Shortcuts call back into the layout (MainLayout.OnShortcut); nothing else runs here.
window.roseShell = (function () {
  let handler = null;

  function typing(target) {
    if (!target) return false;
    if (target.closest && target.closest(".monaco-editor")) return true;
    const tag = (target.tagName || "").toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  return {
    register(dotnet) {
      if (handler) document.removeEventListener("keydown", handler);
      handler = function (e) {
        // Ctrl+K (Cmd+K on a Mac) works everywhere except inside the SQL editor, whose own Ctrl+K chords it keeps.
        if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === "k") {
          if (e.target && e.target.closest && e.target.closest(".monaco-editor")) return;
          e.preventDefault();
          dotnet.invokeMethodAsync("OnShortcut", "palette");
        } else if (e.key === "?" && !e.ctrlKey && !e.metaKey && !typing(e.target)) {
          e.preventDefault();
          dotnet.invokeMethodAsync("OnShortcut", "help");
        }
      };
      document.addEventListener("keydown", handler);
    },
    unregister() {
      if (handler) document.removeEventListener("keydown", handler);
      handler = null;
    },
    // The theme is a per-user choice in this browser: "dark", "light", or nothing (follow the system).
    getTheme(user) {
      try { return localStorage.getItem("rose-theme:" + user); } catch { return null; }
    },
    setTheme(user, value) {
      try {
        if (value) localStorage.setItem("rose-theme:" + user, value);
        else localStorage.removeItem("rose-theme:" + user);
      } catch { /* storage disabled: the choice lasts for this page only */ }
    },
  };
})();
