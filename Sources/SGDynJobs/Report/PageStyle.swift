/// The frame of every page sgdyn writes: doctype, head with the inline style sheet (no fonts,
/// no external anything, so a page works from file:// on a shared folder and offline), and the
/// colours of the statuses. One style sheet for the index and the bundle pages, so they look
/// alike; below 760 px wide, tables become stacked cards for phones.
enum PageStyle {
    static func head(title: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="generator" content="sgdyn">
        <title>\(HTML.escape(title))</title>
        <style>
        \(css)</style>
        </head>

        """
    }

    /// A status as a coloured label; the class comes from a fixed list, never from the text.
    static func badge(_ status: String, group: String) -> String {
        "<span class=\"badge b-\(group)\">\(HTML.escape(status))</span>"
    }

    static let css = """
        :root{--ink:#1d2329;--muted:#59636e;--line:#d5dbe1;--bg:#ffffff;--soft:#f4f6f8;--link:#0b5cad}
        *{box-sizing:border-box}
        [hidden]{display:none!important}
        body{margin:0 auto;max-width:1280px;padding:12px 16px 40px;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);background:var(--bg)}
        h1{font-size:1.5rem;margin:.4em 0 .2em;overflow-wrap:anywhere}
        h2{font-size:1.15rem;margin:1.6em 0 .5em;border-bottom:1px solid var(--line);padding-bottom:.2em}
        a{color:var(--link)}
        p{margin:.35em 0}
        code,pre{font:13px/1.4 ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace}
        pre{background:var(--soft);border:1px solid var(--line);border-radius:4px;padding:8px 10px;overflow:auto;max-height:32em;white-space:pre-wrap;overflow-wrap:anywhere}
        .muted,.meta{color:var(--muted)}
        .meta{font-size:.9em}
        .desc{white-space:pre-wrap;overflow-wrap:anywhere}
        .badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:.85em;font-weight:600;color:#fff;background:#6b7280;white-space:nowrap}
        .b-done{background:#1a7f37}.b-diverged{background:#b35900}.b-failed{background:#c62828}
        .b-cancelled{background:#6b7280}.b-rejected{background:#8e24aa}.b-unreadable{background:#37474f}.b-other{background:#455a64}
        .b-running{background:#0b5cad}.b-queued,.b-interrupted{background:#6b7280}
        .notice{border-left:4px solid #6b7280;background:var(--soft);padding:6px 10px;margin:.6em 0;overflow-wrap:anywhere}
        .n-failed,.n-unreadable{border-color:#c62828;background:#fdecea}.n-rejected{border-color:#8e24aa;background:#f6e9f8}
        .n-diverged{border-color:#b35900;background:#fff3e0}.n-cancelled{border-color:#6b7280}
        .reason{color:#8b1a1a;font-size:.9em;overflow-wrap:anywhere}
        table{border-collapse:collapse;width:100%}
        th,td{text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid var(--line)}
        th{font-size:.85em;color:var(--muted);font-weight:600}
        td.num{font-variant-numeric:tabular-nums;white-space:nowrap}
        .thumb img{display:block;width:168px;height:90px;object-fit:contain;object-position:left top;border:1px solid var(--line);background:#fff}
        .noplot{display:flex;align-items:center;justify-content:center;width:168px;height:90px;border:1px dashed var(--line);color:var(--muted);font-size:.8em}
        tr.bundle td.name a{font-weight:600;overflow-wrap:anywhere}
        tr.bundle td.name{min-width:12em}
        tr.bundle td.status{min-width:12em;max-width:22em}
        tr.bundle td.setup{min-width:12em}
        tr.bundle .reason{display:-webkit-box;-webkit-line-clamp:5;line-clamp:5;-webkit-box-orient:vertical;overflow:hidden}
        .filters{display:flex;flex-wrap:wrap;gap:6px 14px;align-items:center;margin:.8em 0;padding:8px 10px;background:var(--soft);border-radius:6px}
        .filters input[type=search]{flex:1 1 220px;min-width:0;padding:5px 8px;font:inherit}
        .filters label{white-space:nowrap}
        progress{width:110px;vertical-align:middle}
        .plots{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,520px),1fr));gap:18px}
        figure{margin:0}
        figure img{max-width:100%;height:auto;border:1px solid var(--line)}
        figcaption{font-size:.9em;color:var(--muted)}
        ul.files{columns:2 22em;padding-left:1.2em}
        details summary{cursor:pointer}
        footer{margin-top:2.5em;font-size:.85em;color:var(--muted)}
        @media (max-width:760px){
          body{padding:8px 10px 30px;font-size:15px}
          table.cards thead{display:none}
          table.cards tr{display:block;border:1px solid var(--line);border-radius:6px;margin:0 0 10px;padding:4px}
          table.cards td,tr.bundle td.name,tr.bundle td.status,tr.bundle td.setup{display:block;border:0;padding:3px 6px;width:auto;min-width:0;max-width:none}
          table.cards td[data-label]::before{content:attr(data-label) ": ";color:var(--muted);font-size:.85em}
          .thumb img,.noplot{width:100%;height:auto;max-height:180px}
          .noplot{display:none}
          ul.files{columns:1}
        }

        """
}
