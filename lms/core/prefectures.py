"""Japan's 47 prefectures with their JIS X 0401 codes and the eight traditional regions.

The regions have no legal definition; we use the common eight-region grouping (see shared/domain/ip-facts.md, F).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Region:
    code: str
    name_en: str
    name_ja: str


@dataclass(frozen=True)
class Prefecture:
    code: str
    name_en: str
    name_ja: str
    region: str


REGIONS: tuple[Region, ...] = (
    Region("hokkaido", "Hokkaido", "北海道"),
    Region("tohoku", "Tohoku", "東北"),
    Region("kanto", "Kanto", "関東"),
    Region("chubu", "Chubu", "中部"),
    Region("kinki", "Kinki", "近畿"),
    Region("chugoku", "Chugoku", "中国"),
    Region("shikoku", "Shikoku", "四国"),
    Region("kyushu", "Kyushu and Okinawa", "九州・沖縄"),
)

#: Regions that share a land border or a bridge/strait crossing, for "neighbouring region" matching.
NEIGHBOURS: dict[str, frozenset[str]] = {
    "hokkaido": frozenset({"tohoku"}),
    "tohoku": frozenset({"hokkaido", "kanto", "chubu"}),
    "kanto": frozenset({"tohoku", "chubu"}),
    "chubu": frozenset({"tohoku", "kanto", "kinki"}),
    "kinki": frozenset({"chubu", "chugoku", "shikoku"}),
    "chugoku": frozenset({"kinki", "shikoku", "kyushu"}),
    "shikoku": frozenset({"kinki", "chugoku", "kyushu"}),
    "kyushu": frozenset({"chugoku", "shikoku"}),
}

_ROWS = """
01 Hokkaido 北海道 hokkaido
02 Aomori 青森県 tohoku
03 Iwate 岩手県 tohoku
04 Miyagi 宮城県 tohoku
05 Akita 秋田県 tohoku
06 Yamagata 山形県 tohoku
07 Fukushima 福島県 tohoku
08 Ibaraki 茨城県 kanto
09 Tochigi 栃木県 kanto
10 Gunma 群馬県 kanto
11 Saitama 埼玉県 kanto
12 Chiba 千葉県 kanto
13 Tokyo 東京都 kanto
14 Kanagawa 神奈川県 kanto
15 Niigata 新潟県 chubu
16 Toyama 富山県 chubu
17 Ishikawa 石川県 chubu
18 Fukui 福井県 chubu
19 Yamanashi 山梨県 chubu
20 Nagano 長野県 chubu
21 Gifu 岐阜県 chubu
22 Shizuoka 静岡県 chubu
23 Aichi 愛知県 chubu
24 Mie 三重県 kinki
25 Shiga 滋賀県 kinki
26 Kyoto 京都府 kinki
27 Osaka 大阪府 kinki
28 Hyogo 兵庫県 kinki
29 Nara 奈良県 kinki
30 Wakayama 和歌山県 kinki
31 Tottori 鳥取県 chugoku
32 Shimane 島根県 chugoku
33 Okayama 岡山県 chugoku
34 Hiroshima 広島県 chugoku
35 Yamaguchi 山口県 chugoku
36 Tokushima 徳島県 shikoku
37 Kagawa 香川県 shikoku
38 Ehime 愛媛県 shikoku
39 Kochi 高知県 shikoku
40 Fukuoka 福岡県 kyushu
41 Saga 佐賀県 kyushu
42 Nagasaki 長崎県 kyushu
43 Kumamoto 熊本県 kyushu
44 Oita 大分県 kyushu
45 Miyazaki 宮崎県 kyushu
46 Kagoshima 鹿児島県 kyushu
47 Okinawa 沖縄県 kyushu
"""

PREFECTURES: tuple[Prefecture, ...] = tuple(
    Prefecture(*line.split()) for line in _ROWS.strip().splitlines()
)
BY_CODE: dict[str, Prefecture] = {p.code: p for p in PREFECTURES}
REGION_BY_CODE: dict[str, Region] = {r.code: r for r in REGIONS}
CODES: tuple[str, ...] = tuple(BY_CODE)


def name(code: str | None, locale: str) -> str:
    """The prefecture's name in ``locale`` ('ja' or anything else for English); '' for no prefecture."""
    if not code or code not in BY_CODE:
        return ""
    pref = BY_CODE[code]
    return pref.name_ja if locale == "ja" else pref.name_en


def region_name(code: str, locale: str) -> str:
    """The region's name in ``locale`` ('ja' or anything else for English)."""
    region = REGION_BY_CODE[code]
    return region.name_ja if locale == "ja" else region.name_en


def choices(locale: str, *, blank: bool = True) -> list[tuple[str, str]]:
    """Form choices in JIS order, labelled in ``locale``."""
    rows = [(p.code, f"{p.code} {name(p.code, locale)}") for p in PREFECTURES]
    return [("", str(_l("Choose a prefecture"))), *rows] if blank else rows
