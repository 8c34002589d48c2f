"""Reference OA 信访 server implementing `docs/oa-contract.md`, with fault injection.

Standard library only (`http.server` + `sqlite3`), so tests, the benchmark and `xinxiang demo`
can run a realistic OA on loopback. State lives in one SQLite file: stopping and starting a
simulator on the same file and port is an OA going down and coming back.

Faults (start-up and at runtime through `POST /admin/faults`): 5xx answers, 5xx after an update
was recorded (the lost-acknowledgement case), dropped connections, hung requests, slow pages,
an item repeated across pages, and tokens expiring early. `redirects` (path → Location) makes
authenticated GETs of a path answer 302, as an OA fronting a file server does. The admin endpoints
are unauthenticated and exist only in the simulator.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import random
import re
import secrets
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from xinxiang.oa_bridge.config import DEFAULT_STATUS_MAP

CST = timezone(timedelta(hours=8), "CST")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US = timedelta(microseconds=1)
MAX_PAGE_SIZE = 1000

#: Service codes of the simulated OA and the category each stands for (mirrors config/oa.toml).
SERVICE_CODES: dict[str, str] = {
    "JXJY": "教育教学",
    "HQBZ": "后勤保障",
    "AQGL": "安全管理",
    "XJGL": "学籍管理",
    "JYCY": "就业创业",
    "XTJS": "学团建设",
    "JCGL": "奖惩管理",
    "CWGL": "财务管理",
    "TSGA": "特殊关爱",
    "YQFK": "疫情防控",
    "QT": "其他",
}

SIM_STATUSES = frozenset({"received", *DEFAULT_STATUS_MAP.values()})


@dataclass(frozen=True)
class Faults:
    """Fault injection settings; rates are probabilities per request."""

    error_rate: float = 0.0
    error_after_commit_rate: float = 0.0
    drop_rate: float = 0.0
    hang_rate: float = 0.0
    hang_seconds: float = 5.0
    slow_page_seconds: float = 0.0
    duplicate_rate: float = 0.0
    expire_every: int = 0
    token_ttl: int = 3600
    seed: int | None = None


def parse_faults(spec: str, base: Faults | None = None) -> Faults:
    """Parse `name=value,name=value` (e.g. `error_rate=0.1,expire_every=50`) into `Faults`."""
    base = base or Faults()
    types = {f.name: f.type for f in fields(Faults)}
    changes: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or name not in types:
            raise ValueError(f"unknown fault {name!r}; known: {', '.join(types)}")
        kind = str(types[name])
        if "int" in kind:
            changes[name] = int(value)
        else:
            changes[name] = float(value)
    return replace(base, **changes)


def iso(us: int) -> str:
    """Render an epoch-microsecond timestamp as ISO 8601 in China Standard Time."""
    return (EPOCH + us * US).astimezone(CST).isoformat(timespec="microseconds")


def to_us(t: datetime) -> int:
    """Epoch microseconds of an aware datetime."""
    return (t - EPOCH) // US


_SCHEMA = """
CREATE TABLE IF NOT EXISTS petitions (
    petition_id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    submitted_us INTEGER NOT NULL,
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    email TEXT NOT NULL,
    anonymous INTEGER NOT NULL,
    public_consent INTEGER,
    service_code TEXT NOT NULL,
    attachments TEXT NOT NULL,
    updated_us INTEGER NOT NULL,
    status TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS petitions_feed ON petitions (updated_us, petition_id);
CREATE TABLE IF NOT EXISTS updates (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE,
    petition_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    response TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (token TEXT PRIMARY KEY, expires_us INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS blobs (
    sha256 TEXT PRIMARY KEY, content_type TEXT NOT NULL, data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉婷雪琳晨宇浩然子涵欣怡梓轩思远嘉怡一诺佳琪雨萱俊杰博文"  # noqa: E501
_PLACES = (
    "第一教学楼",
    "第三食堂",
    "图书馆",
    "北区学生公寓",
    "实验楼",
    "体育馆",
    "南门",
    "研究生公寓",
    "校医院",
    "信息楼",
)
_TEMPLATES: dict[str, tuple[tuple[str, str], ...]] = {
    "JXJY": (
        (
            "关于{place}教室多媒体设备故障的反映",
            "{place}302教室投影仪和扩音设备已经坏了两周，老师上课只能板书，后排同学听不清，希望尽快维修。",
        ),
        (
            "建议调整期末考试安排",
            "本学期有三门课的期末考试排在同一天，复习时间太紧张，恳请教务处统筹调整考试时间。",
        ),
    ),
    "HQBZ": (
        (
            "{place}饭菜价格上涨问题",
            "最近{place}多个窗口饭菜涨价一到两元，分量却变少了，希望学校关注学生就餐负担。",
        ),
        (
            "{place}热水供应不稳定",
            "{place}晚上九点以后经常没有热水，冬天洗漱很不方便，请后勤处尽快解决。",
        ),
    ),
    "AQGL": (
        (
            "{place}附近路灯损坏存在安全隐患",
            "{place}附近有三盏路灯不亮已一个多月，晚上下自习回宿舍很黑，担心安全，希望尽快修复。",
        ),
        (
            "校内电动车超速问题",
            "校园主干道上外卖电动车车速很快，多次险些撞到行人，建议加强管理并设置限速标志。",
        ),
    ),
    "XJGL": (
        (
            "转专业申请结果咨询",
            "本人于上月提交了转专业申请，至今没有收到结果通知，想了解审核进度和后续安排。",
        ),
        (
            "学籍信息有误需要更正",
            "学信网上本人的出生日期与身份证不一致，请问应当如何办理学籍信息更正？",
        ),
    ),
    "JYCY": (
        (
            "希望增加校园招聘会场次",
            "今年来校招聘的企业比往年少，计算机类岗位尤其少，希望就业指导中心多联系用人单位。",
        ),
        (
            "创业园场地申请流程咨询",
            "我们团队想申请入驻大学生创业园，但不清楚申请条件和流程，希望给予指导。",
        ),
    ),
    "XTJS": (
        (
            "社团活动场地难以预约",
            "学生社团活动需要预约{place}场地，但系统总显示已满，希望增加开放时段。",
        ),
        (
            "建议完善志愿服务时长认定",
            "参加校外志愿服务的时长无法在系统中认定，希望团委明确认定办法。",
        ),
    ),
    "JCGL": (
        (
            "奖学金评定结果有异议",
            "本学年国家励志奖学金评定中，综合测评加分标准不统一，希望重新核查并公开评定细则。",
        ),
        ("对处分决定申诉", "本人对上周收到的违纪处分决定有异议，认为事实认定有误，申请复查。"),
    ),
    "CWGL": (
        ("学费退费进度咨询", "本人办理退宿手续已两个月，住宿费退费一直未到账，请财务处核实。"),
        ("报销流程过于繁琐", "科研经费报销需要多个部门签字，往返多次才能办完，建议推行线上审批。"),
    ),
    "TSGA": (
        ("家庭经济困难申请帮扶", "家中父亲生病住院，经济非常困难，希望学校能给予临时困难补助。"),
        (
            "残疾学生出行无障碍设施不足",
            "{place}没有无障碍坡道，坐轮椅的同学进出非常困难，希望增设无障碍设施。",
        ),
    ),
    "YQFK": (
        ("传染病防控物资发放建议", "流感高发季节，建议在{place}等人员密集场所配备口罩和消毒用品。"),
        ("宿舍通风消毒安排", "{place}宿舍楼道长期不通风，建议定期开窗通风并消毒。"),
    ),
    "QT": (
        (
            "关于校园网速度慢的意见",
            "晚上高峰期校园网速度很慢，经常无法正常上网课，希望网络中心扩容。",
        ),
        (
            "建议延长图书馆开放时间",
            "考试周图书馆十点闭馆，自习座位紧张，建议延长开放到晚上十一点。",
        ),
    ),
}


class SimulatorStore:
    """The simulated OA's database (one connection guarded by a lock; fine for a test server)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        self._db.commit()
        self.lock = threading.RLock()

    def close(self) -> None:
        """Close the database."""
        with self.lock:
            self._db.close()

    @contextlib.contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """One locked transaction."""
        with self.lock:
            try:
                yield self._db
                self._db.commit()
            except BaseException:
                self._db.rollback()
                raise

    def _next_us(self, db: sqlite3.Connection, now_us: int) -> int:
        # updated_at is strictly increasing in commit order, so a keyset cursor never skips.
        row = db.execute("SELECT value FROM meta WHERE key = 'last_us'").fetchone()
        value = max(now_us, (row[0] if row else 0) + 1)
        db.execute(
            "INSERT INTO meta (key, value) VALUES ('last_us', ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (value,),
        )
        return value

    def count(self) -> int:
        """Number of petitions."""
        with self.lock:
            return int(self._db.execute("SELECT COUNT(*) FROM petitions").fetchone()[0])

    def seed(self, n: int, *, rng_seed: int = 1) -> int:
        """Add realistic petitions until there are `n`; returns how many were added."""
        rng = random.Random(rng_seed)
        with self.tx() as db:
            have = int(db.execute("SELECT COUNT(*) FROM petitions").fetchone()[0])
            add = max(0, n - have)
            if not add:
                return 0
            now_us = to_us(datetime.now(UTC))
            row = db.execute("SELECT value FROM meta WHERE key = 'last_us'").fetchone()
            start = max((row[0] + 1) if row else 0, now_us - 365 * 86400 * 10**6)
            step = max(1, min(300 * 10**6, (now_us - start) // max(add, 1)))
            t = start
            rows = []
            blobs = []
            codes = list(SERVICE_CODES)
            for i in range(have + 1, have + add + 1):
                # About one in five shares its predecessor's timestamp (batch imports do that).
                if rng.random() > 0.2:
                    t += rng.randint(1, 2 * step)
                code = codes[rng.randrange(len(codes))]
                title, desc = rng.choice(_TEMPLATES[code])
                place = rng.choice(_PLACES)
                name = rng.choice(_SURNAMES) + "".join(
                    rng.choice(_GIVEN) for _ in range(rng.randint(1, 2))
                )
                email = f"s{2020 + rng.randint(0, 5)}{rng.randint(0, 99999):05d}@stu.example.edu.cn"
                atts = []
                if rng.random() < 0.15:
                    data = f"附件材料 {i}：{title.format(place=place)}\n".encode()
                    digest = hashlib.sha256(data).hexdigest()
                    blobs.append((digest, "text/plain", data))
                    atts.append(
                        {
                            "name": f"情况说明{i}.txt",
                            "content_type": "text/plain",
                            "sha256": digest,
                            "url": f"/api/v1/attachments/{digest}",
                        }
                    )
                rows.append(
                    (
                        f"XF{i:08d}",
                        title.format(place=place),
                        desc.format(place=place),
                        t - rng.randint(0, 3 * 86400) * 10**6,
                        name,
                        f"1{rng.choice('3456789')}{rng.randint(0, 999999999):09d}",
                        email if rng.random() < 0.7 else "",
                        int(rng.random() < 0.1),
                        rng.choice((1, 0, None)),
                        code,
                        json.dumps(atts, ensure_ascii=False),
                        t,
                        "received",
                    )
                )
            db.executemany("INSERT INTO petitions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
            db.executemany("INSERT OR IGNORE INTO blobs VALUES (?,?,?)", blobs)
            self._next_us(db, t)
            return add

    def edit(
        self, petition_id: str, *, title: str | None = None, description: str | None = None
    ) -> str:
        """The petitioner edits a petition: content changes and updated_at moves forward."""
        with self.tx() as db:
            row = db.execute(
                "SELECT title, description FROM petitions WHERE petition_id = ?", (petition_id,)
            ).fetchone()
            if row is None:
                raise KeyError(petition_id)
            us = self._next_us(db, to_us(datetime.now(UTC)))
            db.execute(
                "UPDATE petitions SET title = ?, description = ?, updated_us = ?"
                " WHERE petition_id = ?",
                (
                    title if title is not None else row[0],
                    description
                    if description is not None
                    else row[1] + "（补充说明：问题仍未解决。）",
                    us,
                    petition_id,
                ),
            )
            return iso(us)

    def issue_token(self, ttl: int) -> str:
        """Create a bearer token valid for `ttl` seconds."""
        token = secrets.token_urlsafe(24)
        with self.tx() as db:
            db.execute(
                "INSERT INTO tokens VALUES (?, ?)", (token, to_us(datetime.now(UTC)) + ttl * 10**6)
            )
        return token

    def token_valid(self, token: str) -> bool:
        """Whether the token exists and has not expired."""
        with self.lock:
            row = self._db.execute(
                "SELECT expires_us FROM tokens WHERE token = ?", (token,)
            ).fetchone()
        return row is not None and row[0] > to_us(datetime.now(UTC))

    def expire_tokens(self) -> None:
        """Revoke every token (clients must fetch new ones)."""
        with self.tx() as db:
            db.execute("DELETE FROM tokens")

    def page(
        self, since_us: int, after_id: str | None, page: int, page_size: int
    ) -> tuple[list[dict[str, Any]], int, dict[str, Any] | None]:
        """A page of the feed plus the total and the item just before the page (for faults)."""
        args: tuple[int] | tuple[int, str]
        if after_id is None:
            where, args = "updated_us >= ?", (since_us,)
            before_where: str = "updated_us >= ?"
        else:
            where, args = "(updated_us, petition_id) > (?, ?)", (since_us, after_id)
            before_where = "(updated_us, petition_id) <= (?, ?)"
        with self.lock:
            total = int(
                self._db.execute(f"SELECT COUNT(*) FROM petitions WHERE {where}", args).fetchone()[
                    0
                ]
            )
            rows = self._db.execute(
                f"SELECT * FROM petitions WHERE {where}"
                " ORDER BY updated_us, petition_id LIMIT ? OFFSET ?",
                (*args, page_size, (page - 1) * page_size),
            ).fetchall()
            if after_id is None:
                offset = (page - 1) * page_size - 1
                prev = (
                    self._db.execute(
                        f"SELECT * FROM petitions WHERE {before_where}"
                        " ORDER BY updated_us, petition_id LIMIT 1 OFFSET ?",
                        (*args, offset),
                    ).fetchone()
                    if offset >= 0
                    else None
                )
            else:
                prev = self._db.execute(
                    f"SELECT * FROM petitions WHERE {before_where}"
                    " ORDER BY updated_us DESC, petition_id DESC LIMIT 1",
                    args,
                ).fetchone()
        return [_item(r) for r in rows], total, (_item(prev) if prev else None)

    def petition(self, petition_id: str) -> dict[str, Any] | None:
        """One petition as contract JSON."""
        with self.lock:
            row = self._db.execute(
                "SELECT * FROM petitions WHERE petition_id = ?", (petition_id,)
            ).fetchone()
        return _item(row) if row else None

    def blob(self, sha256: str) -> tuple[str, bytes] | None:
        """An attachment's content type and bytes."""
        with self.lock:
            row = self._db.execute(
                "SELECT content_type, data FROM blobs WHERE sha256 = ?", (sha256,)
            ).fetchone()
        return (row[0], bytes(row[1])) if row else None

    def record_update(
        self, petition_id: str, key: str, payload: Mapping[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        """Record an update once per idempotency key; a repeat returns the first answer."""
        canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        with self.tx() as db:
            old = db.execute(
                "SELECT petition_id, payload, response FROM updates WHERE idempotency_key = ?",
                (key,),
            ).fetchone()
            if old is not None:
                if old[0] != petition_id or old[1] != canonical:
                    return 409, _error("idempotency_conflict", "该幂等键已用于不同的请求内容")
                return 200, {**json.loads(old[2]), "replayed": True}
            if (
                db.execute(
                    "SELECT 1 FROM petitions WHERE petition_id = ?", (petition_id,)
                ).fetchone()
                is None
            ):
                return 404, _error("not_found", f"信访件 {petition_id} 不存在")
            status = payload.get("status")
            if status not in SIM_STATUSES:
                return 422, _error("invalid_status", f"未知的办理状态 {status!r}")
            seq = int(db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM updates").fetchone()[0])
            response = {
                "update_id": f"U{seq:09d}",
                "petition_id": petition_id,
                "status": status,
                "received_at": iso(to_us(datetime.now(UTC))),
                "replayed": False,
            }
            db.execute(
                "INSERT INTO updates (seq, idempotency_key, petition_id, payload, response)"
                " VALUES (?,?,?,?,?)",
                (seq, key, petition_id, canonical, json.dumps(response, ensure_ascii=False)),
            )
            # Status changes made through the API do not move updated_at: the feed tracks the
            # petitioner's edits, so our own pushes never echo back as "changed" petitions.
            db.execute(
                "UPDATE petitions SET status = ? WHERE petition_id = ?", (status, petition_id)
            )
            return 201, response

    def updates(self) -> list[tuple[int, str, str, dict[str, Any]]]:
        """Every recorded update: (seq, idempotency_key, petition_id, payload), in arrival order."""
        with self.lock:
            rows = self._db.execute(
                "SELECT seq, idempotency_key, petition_id, payload FROM updates ORDER BY seq"
            ).fetchall()
        return [(r[0], r[1], r[2], json.loads(r[3])) for r in rows]


def _item(r: tuple[Any, ...]) -> dict[str, Any]:
    return {
        "petition_id": r[0],
        "title": r[1],
        "description": r[2],
        "submitted_at": iso(r[3]),
        "submitter": {"name": "" if r[7] else r[4], "phone": r[5], "email": r[6]},
        "anonymous": bool(r[7]),
        "public_consent": None if r[8] is None else bool(r[8]),
        "service_code": r[9],
        "attachments": json.loads(r[10]),
        "updated_at": iso(r[11]),
        "status": r[12],
    }


def _error(code: str, description: str) -> dict[str, Any]:
    return {"errors": [{"code": code, "description": description}]}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    sim: OaSimulator

    def __init__(self, address: tuple[str, int]) -> None:
        super().__init__(address, _Handler)
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._conns_lock:
            self._conns.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._conns_lock:
            self._conns.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Cut keep-alive connections too: a stopped OA must not keep answering on them."""
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


_UPDATES = re.compile(r"^/api/v1/petitions/([^/]+)/updates$")
_PETITION = re.compile(r"^/api/v1/petitions/([^/]+)$")
_ATTACHMENT = re.compile(r"^/api/v1/attachments/([0-9a-f]{64})$")
_EDIT = re.compile(r"^/admin/petitions/([^/]+)/edit$")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    _raw: bytes = b""
    # One segment per response and no Nagle: otherwise delayed ACKs cost 40 ms per request.
    wbufsize = -1
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def handle(self) -> None:
        # A client that timed out has closed its socket; that is the fault working, not a bug.
        with contextlib.suppress(ConnectionError, TimeoutError):
            super().handle()

    def _send_json(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:
        raw = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(raw)

    def _body(self) -> Any:
        raw = self._raw
        if not raw:
            return {}
        try:
            return json.loads(raw)
        except ValueError:
            return None

    def do_GET(self) -> None:
        self._raw = b""
        self.server.sim.dispatch(self, "GET")

    def do_POST(self) -> None:
        # Read the body before any fault fires, or it would be parsed as the next request.
        length = int(self.headers.get("Content-Length") or 0)
        self._raw = self.rfile.read(length) if length else b""
        self.server.sim.dispatch(self, "POST")


class OaSimulator:
    """A running (or stopped) simulated OA; start, stop and restart on the same port and file."""

    def __init__(
        self,
        db_path: Path | str,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        app_id: str = "xinxiang",
        secret: str = "simulator-secret",
        faults: Faults | None = None,
    ) -> None:
        self.db_path = Path(db_path)
        self.host = host
        self.port = port
        self.app_id = app_id
        self.secret = secret
        self.faults = faults or Faults()
        self._rng = random.Random(self.faults.seed)
        self._rng_lock = threading.Lock()
        self._requests = 0
        self.redirects: dict[str, str] = {}
        self.store: SimulatorStore | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL of the API."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> OaSimulator:
        """Open the database and serve in a background thread."""
        self.store = SimulatorStore(self.db_path)
        server = _Server((self.host, self.port))
        server.sim = self
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"oa-sim-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the database (the OA goes down)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server.close_connections()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self.store is not None:
            self.store.close()
            self.store = None

    def restart(self) -> None:
        """Stop and start again on the same port and database file."""
        self.stop()
        self.start()

    def serve_forever(self) -> None:
        """Block until interrupted, starting first if needed (for `xinxiang oa simulate`)."""
        if self._server is None:
            self.start()
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(0.5)
        finally:
            self.stop()

    def __enter__(self) -> OaSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def set_faults(self, faults: Faults) -> None:
        """Change fault injection at runtime."""
        self.faults = faults
        if faults.seed is not None:
            with self._rng_lock:
                self._rng = random.Random(faults.seed)

    def _roll(self, rate: float) -> bool:
        if rate <= 0:
            return False
        with self._rng_lock:
            return self._rng.random() < rate

    # Request handling -------------------------------------------------------------------------

    def dispatch(self, h: _Handler, method: str) -> None:
        """Route one request, injecting faults on the API (never on /admin)."""
        parts = urlsplit(h.path)
        path = parts.path
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if path.startswith("/admin/"):
            self._admin(h, method, path, query)
            return
        f = self.faults
        if self._roll(f.drop_rate):
            h.close_connection = True
            return
        if self._roll(f.hang_rate):
            time.sleep(f.hang_seconds)
        if self._roll(f.error_rate):
            h._send_json(503, _error("unavailable", "OA 系统繁忙，请稍后重试"))
            return
        store = self.store
        if store is None:
            h.close_connection = True
            return
        if method == "POST" and path == "/api/v1/token":
            body = h._body()
            if (
                not isinstance(body, dict)
                or body.get("app_id") != self.app_id
                or body.get("secret") != self.secret
            ):
                h._send_json(401, _error("invalid_client", "app_id 或 secret 错误"))
                return
            h._send_json(200, {"token": store.issue_token(f.token_ttl), "expires_in": f.token_ttl})
            return
        auth = h.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or not store.token_valid(auth[7:]):
            h._send_json(
                401, _error("invalid_token", "令牌无效或已过期"), {"WWW-Authenticate": "Bearer"}
            )
            return
        with self._rng_lock:
            self._requests += 1
            expire = f.expire_every > 0 and self._requests % f.expire_every == 0
        if expire:
            store.expire_tokens()
            h._send_json(401, _error("token_expired", "令牌已过期"), {"WWW-Authenticate": "Bearer"})
            return
        if method == "GET" and path in self.redirects:
            h.send_response(302)
            h.send_header("Location", self.redirects[path])
            h.send_header("Content-Length", "0")
            h.end_headers()
        elif method == "GET" and path == "/api/v1/petitions":
            self._petitions(h, store, query)
        elif method == "POST" and (m := _UPDATES.match(path)):
            self._update(h, store, unquote(m.group(1)))
        elif method == "GET" and (m := _PETITION.match(path)):
            item = store.petition(unquote(m.group(1)))
            if item is None:
                h._send_json(404, _error("not_found", "信访件不存在"))
            else:
                h._send_json(200, item)
        elif method == "GET" and (m := _ATTACHMENT.match(path)):
            blob = store.blob(m.group(1))
            if blob is None:
                h._send_json(404, _error("not_found", "附件不存在"))
                return
            h.send_response(200)
            h.send_header("Content-Type", blob[0])
            h.send_header("Content-Length", str(len(blob[1])))
            h.end_headers()
            h.wfile.write(blob[1])
        else:
            h._send_json(404, _error("not_found", f"无此接口 {method} {path}"))

    def _petitions(self, h: _Handler, store: SimulatorStore, q: dict[str, str]) -> None:
        try:
            since = datetime.fromisoformat(q.get("updated_since", "1970-01-01T00:00:00+00:00"))
            if since.utcoffset() is None:
                raise ValueError("no offset")
            page = int(q.get("page", "1"))
            size = int(q.get("page_size", "100"))
        except ValueError:
            h._send_json(
                400,
                _error(
                    "invalid_parameter",
                    "updated_since 须为带时区的 ISO 8601 时间，page/page_size 须为整数",
                ),
            )
            return
        if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
            h._send_json(
                400, _error("invalid_parameter", f"page ≥ 1，1 ≤ page_size ≤ {MAX_PAGE_SIZE}")
            )
            return
        if self.faults.slow_page_seconds > 0:
            time.sleep(self.faults.slow_page_seconds)
        after_id = q.get("after_id")
        items, total, prev = store.page(to_us(since), after_id, page, size)
        if prev is not None and items and self._roll(self.faults.duplicate_rate):
            # What offset paging does when rows shift: the previous page's last item shows again.
            items = [prev, *items]
            if after_id is not None and len(items) > size:
                items.pop()
        h._send_json(200, {"items": items, "page": page, "page_size": size, "total": total})

    def _update(self, h: _Handler, store: SimulatorStore, petition_id: str) -> None:
        key = h.headers.get("Idempotency-Key", "").strip()
        body = h._body()
        if not key or len(key) > 200:
            h._send_json(400, _error("missing_idempotency_key", "缺少 Idempotency-Key 请求头"))
            return
        if not isinstance(body, dict):
            h._send_json(400, _error("invalid_json", "请求体须为 JSON 对象"))
            return
        status, resp = store.record_update(petition_id, key, body)
        if status == 201 and self._roll(self.faults.error_after_commit_rate):
            h._send_json(500, _error("internal", "处理结果未能返回"))
            return
        h._send_json(status, resp)

    def _admin(self, h: _Handler, method: str, path: str, q: dict[str, str]) -> None:
        store = self.store
        if store is None:
            h.close_connection = True
            return
        if path == "/admin/faults":
            if method == "POST":
                body = h._body()
                if not isinstance(body, dict):
                    h._send_json(400, _error("invalid_json", "请求体须为 JSON 对象"))
                    return
                try:
                    self.set_faults(replace(self.faults, **body))
                except TypeError as exc:
                    h._send_json(400, _error("invalid_fault", str(exc)))
                    return
            h._send_json(200, asdict(self.faults))
        elif method == "POST" and path == "/admin/seed":
            body = h._body() or {}
            added = store.seed(int(body.get("n", 0)), rng_seed=int(body.get("seed", 1)))
            h._send_json(200, {"added": added, "total": store.count()})
        elif method == "POST" and path == "/admin/expire-tokens":
            store.expire_tokens()
            h._send_json(200, {"expired": True})
        elif method == "POST" and (m := _EDIT.match(path)):
            body = h._body() or {}
            try:
                updated = store.edit(
                    unquote(m.group(1)),
                    title=body.get("title"),
                    description=body.get("description"),
                )
            except KeyError:
                h._send_json(404, _error("not_found", "信访件不存在"))
                return
            h._send_json(200, {"updated_at": updated})
        elif method == "GET" and path == "/admin/updates":
            h._send_json(
                200,
                [
                    {"seq": s, "idempotency_key": k, "petition_id": p, "payload": b}
                    for s, k, p, b in store.updates()
                ],
            )
        elif method == "GET" and path == "/admin/stats":
            h._send_json(200, {"petitions": store.count(), "updates": len(store.updates())})
        else:
            h._send_json(404, _error("not_found", f"无此接口 {method} {path}"))
