"""Synthetic replica of the six public sources, written in their original layouts.

The replica stands in for the real files when a build has none: same columns, encodings, units
and quirks, a plausible scale, and the noise that real trade statistics carry (series that
start, stop or pause, one-off tiny shipments at odd prices, seasonal price moves, price-level
shifts, unit values that are noisier for small flows). It is **not** real trade; every file set
carries a ``SYNTHETIC.json`` marker. No anomalies are labelled or planted here.

Building blocks are pure functions of their arguments (an explicit numpy Generator where random):
``item_catalogue`` -> ``design_series`` -> ``simulate_trade`` -> ``trade_records``;
``freight_series``; ``macro_series``; formatters to the original layouts; ``write_replica``
writes everything atomically. The same seed gives byte-identical files.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from customs_anomaly import __version__, config
from customs_anomaly.countries import COUNTRY_NAMES, EU_MEMBERS, economic_bloc

TRADE_START = pd.Timestamp("2020-01-01")  # releases from January so year-to-date columns add up
FREIGHT_START = pd.Timestamp("2019-01-01")

TRADE_FILE_PATTERN = "해양수산부_수산물품목별수출입현황_{yyyymm}.csv"
FREIGHT_FILE = "관세청_해상수출입(수입)운송비용.csv"
EXCHANGE_RATE_FILE = "원달러환율_월평균.csv"
OIL_FILE = "국제유가_월별.csv"
CPI_FILE = "소비자물가지수.csv"
PPI_FILE = "생산자물가지수.csv"

TRADE_COLUMNS = {
    "month": "기준년월",
    "country_code": "국가코드",
    "hsk_code": "HSK품목코드",
    "trade_flow": "수출입구분코드",
    "trade_flow_name": "수출입구분명",
    "country_name": "국가명",
    "economic_bloc": "경제권명",
    "item_name": "수산물수출입품목명",
    "weight_kg": "당월수출입중량(킬로그램)",
    "value_usd": "당월수출입미화금액(달러)",
    "ytd_weight_kg": "당해누계수출입중량(킬로그램)",
    "ytd_value_usd": "당해누계수출입미화금액(달러)",
    "reference_date": "데이터기준일자",
}

# Independent random streams, so that changing one source never reshuffles another.
_STREAMS = {"trade": 1, "freight": 2, "macro": 3}

# ---------------------------------------------------------------------------------------------
# Item catalogue: HSK code, Korean name, typical import unit price (USD/kg, CIF, 2024-25 level),
# national imports (million USD a year) and the main supplying countries with their shares (%).
# Written from public knowledge of the HS nomenclature and of Korea's seafood trade.
# ---------------------------------------------------------------------------------------------
_IMPORT_ITEMS: tuple[tuple[str, str, float, float, str], ...] = (
    # live fish
    ("0301111000", "비단잉어(활어)", 60.0, 1.5, "JP:85 CN:15"),
    ("0301119000", "관상용 민물고기(활어)", 25.0, 1.0, "TH:30 SG:25 ID:20 JP:15 CN:10"),
    ("0301921000", "실뱀장어(양식용)", 2000.0, 15.0, "CN:30 HK:30 US:20 CA:10 TW:10"),
    ("0301922000", "새끼뱀장어(양식용)", 45.0, 25.0, "CN:60 TW:20 ID:20"),
    ("0301929090", "뱀장어(활어)", 13.0, 60.0, "CN:85 TW:10 JP:5"),
    ("0301992000", "방어(활어)", 9.0, 80.0, "JP:100"),
    ("0301994091", "참돔(활어)", 8.0, 35.0, "JP:85 CN:15"),
    ("0301997000", "먹장어(활어)", 6.0, 6.0, "US:60 CA:20 JP:20"),
    ("0301998000", "넙치(활어)", 10.0, 1.0, "JP:100"),
    ("0301999010", "능성어(활어)", 18.0, 3.0, "TW:50 JP:30 MY:20"),
    ("0301999020", "복어(활어)", 12.0, 3.0, "CN:70 JP:30"),
    ("0301999059", "농어(활어)", 9.0, 15.0, "CN:100"),
    ("0301999070", "미꾸라지(활어)", 4.0, 10.0, "CN:100"),
    ("0301999099", "기타 어류(활어)", 8.0, 6.0, "CN:50 JP:50"),
    # fresh or chilled fish
    ("0302130000", "태평양연어(신선)", 10.0, 8.0, "US:50 CA:30 JP:20"),
    ("0302140000", "대서양연어(신선)", 11.0, 420.0, "NO:90 GB:4 AU:3 CL:3"),
    ("0302352000", "태평양참다랑어(신선)", 35.0, 8.0, "JP:60 MX:20 US:20"),
    ("0302510000", "대구(신선)", 4.0, 8.0, "RU:60 JP:20 US:20"),
    ("0302550000", "명태(신선)", 2.0, 15.0, "RU:70 JP:30"),
    ("0302820000", "가오리와 홍어(신선)", 6.0, 4.0, "CL:50 US:30 AR:20"),
    ("0302850000", "돔(신선)", 9.0, 4.0, "JP:60 TR:20 GR:20"),
    ("0302892000", "갈치(신선)", 8.0, 4.0, "JP:50 CN:50"),
    ("0302899040", "아귀(신선)", 3.0, 5.0, "CN:60 JP:40"),
    ("0302899090", "기타 어류(신선)", 6.0, 12.0, "JP:50 CN:30 NZ:10 US:10"),
    # frozen fish
    ("0303110000", "홍연어(냉동)", 8.0, 5.0, "RU:70 US:30"),
    ("0303120000", "기타 태평양연어(냉동)", 4.5, 12.0, "RU:60 US:30 JP:10"),
    ("0303130000", "대서양연어(냉동)", 8.0, 10.0, "NO:60 CL:40"),
    ("0303140000", "송어(냉동)", 7.0, 25.0, "CL:80 NO:20"),
    ("0303310000", "넙치(냉동)", 7.0, 12.0, "US:40 RU:30 CA:30"),
    ("0303330000", "서대(냉동)", 4.0, 5.0, "SN:50 MR:30 CN:20"),
    ("0303399000", "기타 넙치류(냉동)", 2.5, 30.0, "US:50 RU:30 CN:20"),
    ("0303420000", "황다랑어(냉동)", 2.5, 15.0, "TW:40 ID:30 PH:30"),
    ("0303430000", "가다랑어(냉동)", 1.7, 40.0, "TW:40 ID:30 PH:30"),
    ("0303440000", "눈다랑어(냉동)", 6.0, 12.0, "TW:50 CN:30 JP:20"),
    ("0303451000", "대서양참다랑어(냉동)", 18.0, 20.0, "MT:40 ES:30 HR:20 MA:10"),
    ("0303452000", "태평양참다랑어(냉동)", 20.0, 10.0, "MX:50 JP:30 US:20"),
    ("0303460000", "남방참다랑어(냉동)", 25.0, 5.0, "AU:80 JP:20"),
    ("0303510000", "청어(냉동)", 1.3, 15.0, "RU:60 US:20 NO:20"),
    ("0303530000", "정어리(냉동)", 1.0, 4.0, "JP:50 MA:30 MX:20"),
    ("0303540000", "고등어(냉동)", 2.2, 120.0, "NO:75 CN:10 GB:5 IE:5 NL:5"),
    ("0303550000", "전갱이(냉동)", 1.3, 8.0, "CN:40 JP:40 PE:20"),
    ("0303591000", "삼치(냉동)", 2.5, 20.0, "CN:70 TW:20 ID:10"),
    ("0303592000", "꽁치(냉동)", 1.5, 15.0, "TW:50 CN:20 RU:20 JP:10"),
    ("0303630000", "대구(냉동)", 4.0, 60.0, "RU:60 US:30 NO:10"),
    ("0303660000", "민대구(냉동)", 2.5, 15.0, "AR:40 CL:30 US:20 NZ:10"),
    ("0303670000", "명태(냉동)", 1.3, 320.0, "RU:93 US:7"),
    ("0303699000", "기타 대구류(냉동)", 1.4, 10.0, "NZ:40 AR:30 US:30"),
    ("0303821000", "가오리(냉동)", 3.0, 10.0, "AR:30 US:30 CL:20 CN:20"),
    ("0303822000", "홍어(냉동)", 6.0, 30.0, "AR:50 CL:30 US:20"),
    ("0303830000", "이빨고기(냉동)", 25.0, 10.0, "CL:40 AR:30 FK:20 NZ:10"),
    ("0303891000", "은대구(냉동)", 15.0, 5.0, "US:60 CA:40"),
    ("0303892000", "갈치(냉동)", 5.0, 80.0, "SN:35 CN:25 PK:20 ID:10 JP:10"),
    ("0303893090", "돔(냉동)", 2.5, 10.0, "CN:50 ID:30 VN:20"),
    ("0303895090", "조기(냉동)", 4.0, 60.0, "CN:85 ID:10 VN:5"),
    ("0303899040", "임연수어(냉동)", 2.0, 20.0, "RU:60 US:40"),
    ("0303899050", "볼락(냉동)", 2.0, 15.0, "US:50 RU:30 CA:20"),
    ("0303899060", "아귀(냉동)", 2.5, 40.0, "CN:70 US:10 AR:10 ES:10"),
    ("0303899091", "민어(냉동)", 4.0, 10.0, "CN:80 IN:20"),
    ("0303899099", "기타 어류(냉동)", 2.5, 80.0, "CN:30 RU:20 VN:10 ID:10 JP:10 US:10 IN:10"),
    ("0303912010", "명란(냉동)", 5.0, 60.0, "RU:50 US:50"),
    # fish fillets and other fish meat
    ("0304410000", "연어 피레트(신선)", 15.0, 15.0, "NO:80 CL:20"),
    ("0304620000", "메기 피레트(냉동)", 2.6, 15.0, "VN:100"),
    ("0304710000", "대구 피레트(냉동)", 7.5, 10.0, "CN:50 RU:30 US:20"),
    ("0304750000", "명태 피레트(냉동)", 3.0, 40.0, "CN:50 US:30 RU:20"),
    ("0304810000", "연어 피레트(냉동)", 11.0, 60.0, "CL:60 NO:30 CN:10"),
    ("0304820000", "송어 피레트(냉동)", 9.0, 10.0, "CL:70 NO:30"),
    ("0304871000", "참다랑어 피레트(냉동)", 22.0, 60.0, "ES:35 MT:25 HR:15 JP:10 MX:5 PT:5 GR:5"),
    ("0304879000", "기타 다랑어 피레트(냉동)", 7.0, 15.0, "VN:40 ID:30 TH:20 PH:10"),
    ("0304894000", "쥐치 피레트(냉동)", 8.0, 10.0, "VN:60 CN:40"),
    ("0304899000", "기타 어류 피레트(냉동)", 4.0, 50.0, "CN:40 VN:30 RU:10 ID:10 TH:10"),
    ("0304941000", "명태 연육(냉동)", 2.6, 120.0, "US:60 RU:30 JP:10"),
    ("0304991000", "기타 어류 연육(냉동)", 2.0, 60.0, "VN:30 TH:20 IN:20 ID:10 CN:10 US:10"),
    ("0304999000", "기타 어육(냉동)", 3.5, 40.0, "CN:50 VN:30 RU:20"),
    # dried, salted, smoked fish
    ("0305204010", "명란(염장)", 12.0, 20.0, "JP:40 US:30 RU:30"),
    ("0305410000", "연어(훈제)", 25.0, 5.0, "NO:30 DK:30 PL:20 FR:20"),
    ("0305541000", "멸치(건조)", 6.0, 10.0, "VN:40 CN:40 TH:20"),
    ("0305599000", "기타 어류(건조)", 8.0, 30.0, "CN:50 RU:20 VN:20 ID:10"),
    ("0305699000", "기타 어류(염장)", 3.0, 10.0, "CN:50 VN:30 JP:20"),
    ("0305712000", "상어 지느러미(건조)", 80.0, 1.0, "HK:50 ES:30 TW:20"),
    # crustaceans
    ("0306129000", "바닷가재(냉동)", 22.0, 5.0, "CA:60 US:40"),
    ("0306142000", "왕게(냉동)", 25.0, 10.0, "RU:70 US:30"),
    ("0306143090", "꽃게(냉동)", 6.0, 60.0, "CN:70 BD:10 MM:10 VN:10"),
    ("0306149090", "기타 게(냉동)", 5.0, 20.0, "CN:40 RU:30 US:30"),
    ("0306169090", "냉수성 새우(냉동)", 9.0, 10.0, "CA:50 RU:30 IS:20"),
    ("0306171090", "새우살(냉동)", 9.0, 220.0, "VN:55 TH:15 CN:10 IN:10 EC:5 ID:5"),
    ("0306179091", "흰다리새우(냉동)", 8.0, 120.0, "EC:40 VN:25 TH:15 IN:10 CN:10"),
    ("0306179099", "기타 새우(냉동)", 10.0, 60.0, "AR:40 VN:30 CN:20 MY:10"),
    ("0306199000", "기타 갑각류(냉동)", 3.0, 8.0, "CN:70 VN:30"),
    ("0306320000", "바닷가재(활)", 24.0, 60.0, "CA:60 US:40"),
    ("0306332000", "대게(활)", 18.0, 120.0, "RU:70 CA:20 JP:10"),
    ("0306339000", "기타 게(활)", 45.0, 150.0, "RU:95 US:5"),
    ("0306930000", "게(건조·염장)", 8.0, 5.0, "CN:70 VN:30"),
    # molluscs
    ("0307120000", "굴(냉동)", 6.0, 3.0, "CN:50 US:50"),
    ("0307219000", "가리비(활)", 4.0, 25.0, "JP:85 CN:15"),
    ("0307221000", "가리비 패주(냉동)", 14.0, 10.0, "CN:40 JP:30 US:20 AR:10"),
    ("0307229000", "가리비과 조개(냉동)", 8.0, 130.0, "CN:90 JP:10"),
    ("0307320000", "홍합(냉동)", 3.0, 10.0, "CL:80 NZ:20"),
    ("0307431090", "갑오징어(냉동)", 5.0, 30.0, "CN:30 VN:30 TH:20 IN:20"),
    ("0307432010", "오징어(냉동)", 5.0, 30.0, "CN:30 NZ:30 IN:20 TH:20"),
    ("0307432090", "기타 오징어(냉동)", 2.5, 80.0, "PE:40 CL:20 CN:20 AR:20"),
    ("0307511000", "낙지(활)", 14.0, 40.0, "CN:90 VN:10"),
    ("0307512000", "주꾸미(활)", 8.0, 10.0, "CN:80 VN:20"),
    ("0307521000", "문어(냉동)", 10.0, 60.0, "MR:30 MA:30 CN:10 VN:10 ES:10 PT:10"),
    ("0307522000", "낙지(냉동)", 7.0, 100.0, "CN:60 VN:30 TH:10"),
    ("0307523000", "주꾸미(냉동)", 7.0, 40.0, "TH:40 VN:30 CN:20 PH:10"),
    ("0307714000", "바지락(활)", 2.2, 30.0, "CN:100"),
    ("0307723000", "바지락(냉동)", 3.0, 10.0, "CN:80 VN:20"),
    ("0307830000", "전복(냉동)", 30.0, 3.0, "AU:40 CN:30 CL:30"),
    ("0307929000", "기타 연체동물(냉동)", 5.0, 20.0, "IE:30 GB:30 CN:20 FR:10 JP:10"),
    # other aquatic invertebrates
    ("0308110000", "해삼(활)", 15.0, 5.0, "JP:50 CN:50"),
    ("0308192000", "해삼(건조)", 150.0, 5.0, "JP:40 US:20 CA:20 RU:20"),
    ("0308210000", "성게(활)", 40.0, 10.0, "JP:30 CN:30 RU:20 US:20"),
    ("0308304000", "해파리(염장)", 2.0, 10.0, "CN:50 VN:20 MY:10 TH:10 MM:10"),
    ("0308901019", "우렁쉥이(활)", 4.0, 10.0, "JP:80 CN:20"),
    # other chapters: by-products, seaweed, agar, fish oil, preparations, fish meal, salt, pearls
    ("1212211010", "김(건조)", 15.0, 10.0, "CN:100"),
    ("1212212010", "미역(건조)", 6.0, 15.0, "CN:100"),
    ("1212212020", "미역(염장)", 1.5, 10.0, "CN:100"),
    ("1212215090", "다시마(기타)", 2.0, 5.0, "CN:60 JP:40"),
    ("1212219099", "기타 해조류(식용)", 2.5, 5.0, "CN:40 ID:30 PH:20 CL:10"),
    ("1212299019", "코토니와 스피노줌(비식용)", 1.2, 5.0, "ID:60 PH:40"),
    ("1302311000", "한천", 12.0, 10.0, "CL:30 CN:30 MA:20 ID:20"),
    ("1504200000", "어유", 3.0, 20.0, "PE:30 CL:20 NO:20 DK:10 VN:10 CN:10"),
    ("1604111000", "연어(조제·밀폐용기)", 12.0, 5.0, "US:50 TH:50"),
    ("1604141011", "다랑어(기름담금·밀폐용기)", 4.5, 20.0, "TH:70 ID:10 VN:10 PH:10"),
    ("1604151000", "고등어(조제·밀폐용기)", 2.4, 10.0, "CN:40 TH:30 JP:30"),
    ("1604199090", "기타 어류 조제품", 6.0, 20.0, "CN:40 JP:20 VN:20 TH:20"),
    ("1604204090", "어묵", 5.0, 15.0, "JP:30 TH:30 CN:20 VN:20"),
    ("1604209000", "기타 어류 조제저장품", 4.0, 20.0, "CN:50 VN:30 TH:20"),
    ("1604310000", "캐비아", 700.0, 1.0, "CN:40 IT:20 FR:15 DE:10 PL:10 BG:5"),
    ("1604320000", "캐비아 대용물", 10.0, 5.0, "CN:30 TW:30 IS:20 JP:20"),
    ("1605101099", "게살(조제)", 15.0, 10.0, "CN:40 VN:30 ID:30"),
    ("1605219000", "새우(조제)", 10.0, 40.0, "VN:60 TH:30 CN:10"),
    ("1605520000", "가리비(조제)", 15.0, 3.0, "JP:60 CN:40"),
    ("1605542099", "오징어(조제)", 6.0, 40.0, "CN:60 VN:30 PE:10"),
    ("1605550000", "문어(조제)", 10.0, 30.0, "VN:50 CN:30 JP:10 ES:10"),
    ("1605591090", "골뱅이(조제)", 8.0, 5.0, "GB:40 IE:30 CN:30"),
    ("1605599090", "기타 연체동물 조제품", 8.0, 10.0, "CN:50 VN:30 JP:20"),
    ("1605619000", "해삼(조제)", 60.0, 2.0, "CN:50 JP:50"),
    ("1605629000", "성게(조제)", 50.0, 3.0, "JP:50 CN:50"),
    ("2008995010", "김(조제)", 20.0, 3.0, "CN:70 JP:30"),
    ("2008995090", "기타 조제 해조류", 6.0, 5.0, "CN:60 JP:40"),
    ("2301201000", "어분", 1.6, 40.0, "PE:30 CL:20 VN:20 TH:10 MR:10 MA:10"),
    ("2501001020", "천일염", 0.05, 15.0, "CN:80 VN:10 AU:10"),
    ("2501009020", "순염화나트륨", 0.25, 8.0, "CN:40 AU:30 MX:30"),
    ("7101210000", "양식진주", 800.0, 0.5, "JP:60 CN:20 AU:20"),
)

# Exports: HSK code, exports (million USD a year), unit price (USD/kg), destinations (%).
_EXPORT_ITEMS: tuple[tuple[str, float, float, str], ...] = (
    ("1212211010", 300.0, 30.0, "US:25 CN:20 JP:20 TH:8 TW:6 RU:5 VN:4 AU:4 CA:4 DE:2 NL:2"),
    ("2008995010", 350.0, 22.0, "US:30 JP:20 CN:15 TH:8 TW:6 AU:6 CA:5 VN:5 RU:5"),
    ("0303420000", 150.0, 2.2, "TH:60 ID:10 PH:10 EC:10 VN:10"),
    ("0303430000", 200.0, 1.6, "TH:70 PH:10 EC:10 ID:10"),
    ("0303440000", 80.0, 6.0, "JP:80 CN:10 TW:10"),
    ("0307120000", 60.0, 7.0, "US:40 JP:40 HK:10 CN:10"),
    ("1604204090", 60.0, 5.0, "US:30 CN:15 JP:15 VN:10 HK:10 AU:10 CA:10"),
    ("0301998000", 40.0, 11.0, "JP:80 US:15 CN:5"),
    ("1605542099", 30.0, 10.0, "US:30 CN:20 JP:20 VN:15 TW:15"),
    ("0303540000", 50.0, 1.4, "VN:30 PH:25 TH:25 ID:20"),
    ("0306143090", 20.0, 7.0, "CN:60 JP:40"),
    ("0307830000", 30.0, 35.0, "JP:70 CN:20 HK:10"),
    ("0308901019", 15.0, 4.0, "CN:50 JP:50"),
    ("1212212010", 25.0, 6.0, "CN:50 JP:20 US:20 VN:10"),
    ("0304941000", 20.0, 3.0, "JP:50 CN:30 VN:20"),
    ("0307432090", 30.0, 5.0, "CN:40 JP:30 VN:20 TH:10"),
    ("0305599000", 15.0, 15.0, "CN:30 JP:30 US:30 HK:10"),
    ("1604141011", 40.0, 6.0, "US:25 JP:20 CN:20 AU:15 PH:10 VN:10"),
)

# Partners that ship small flows of many items (minor series): within and outside the regions.
_MINOR_REGION_POOL = {
    "CN": 5.0,
    "JP": 4.0,
    "VN": 3.0,
    "US": 2.5,
    "ES": 1.2,
    "NL": 1.0,
    "FR": 1.0,
    "IT": 0.8,
    "DE": 0.8,
    "PT": 0.6,
    "DK": 0.6,
    "PL": 0.5,
    "IE": 0.4,
    "GR": 0.4,
    "BE": 0.4,
    "HR": 0.3,
    "MT": 0.3,
    "SE": 0.3,
    "FI": 0.2,
    "LT": 0.15,
    "LV": 0.1,
    "EE": 0.1,
    "BG": 0.15,
    "RO": 0.1,
    "CY": 0.08,
    "SI": 0.08,
    "AT": 0.08,
    "CZ": 0.08,
    "HU": 0.05,
    "SK": 0.04,
    "LU": 0.04,
}
_MINOR_OTHER_POOL = {
    "TH": 3.0,
    "ID": 2.5,
    "RU": 2.0,
    "TW": 2.0,
    "CA": 1.5,
    "CL": 1.5,
    "NO": 1.5,
    "IN": 1.5,
    "MY": 1.2,
    "PH": 1.2,
    "AU": 1.2,
    "NZ": 1.0,
    "PE": 1.0,
    "EC": 0.8,
    "AR": 0.8,
    "HK": 0.8,
    "MX": 0.6,
    "GB": 0.6,
    "IS": 0.5,
    "MA": 0.5,
    "SG": 0.5,
    "MM": 0.5,
    "BD": 0.4,
    "PK": 0.4,
    "LK": 0.3,
    "TR": 0.3,
    "MR": 0.3,
    "SN": 0.3,
    "FK": 0.1,
}
_COUNTRY_PRICE_FACTOR = {
    "JP": 1.25,
    "US": 1.1,
    "NO": 1.05,
    "CN": 0.85,
    "VN": 0.8,
    "TH": 0.85,
    "ID": 0.8,
    "IN": 0.8,
    "RU": 0.95,
    "BD": 0.8,
    "MM": 0.8,
    "PK": 0.8,
}
_EU_PRICE_FACTOR = 1.15
# The catalogue lists the larger items only; scaled, its total matches Korea's seafood imports of
# roughly 6 billion USD a year (about 500 million a month).
_IMPORT_SCALE = 1.3
_MINOR_MAX_MUSD = 0.6  # an occasional partner ships at most this much a year
_SMALL_FLOW_USD = 3e6  # below this a series may start late, stop early or pause
ODD_PRICE_SHIFT = (0.4, 0.8)  # mean and sd of the log price shift of a tiny odd shipment
_PERSISTENCE = 0.2  # how much a month with (or without) trade predicts the next


def _parse_shares(text: str) -> list[tuple[str, float]]:
    pairs = [part.split(":") for part in text.split()]
    return [(code, float(share) / 100.0) for code, share in pairs]


def item_group_of(hsk_code: str) -> str:
    """Korean item group of a 10-digit HSK code (어류, 갑각류, 연체동물, ...)."""
    code = str(hsk_code).zfill(10)
    heading = code[:4]
    if heading in ("0301", "0302", "0303", "0304", "0305"):
        return "어류"
    if heading == "0306":
        return "갑각류"
    if heading == "0307":
        return "연체동물"
    if heading == "0308":
        return "기타 수생무척추동물"
    if heading in ("1212", "1302"):
        return "해조류"
    if heading == "2501":
        return "소금"
    if heading in ("1603", "1604", "1605", "2008", "2104"):
        return "조제품"
    return "기타"


def item_catalogue() -> pd.DataFrame:
    """The HSK items of the replica: code (10-digit str), Korean name, chapter, item group,
    typical import unit price (USD/kg), national imports (million USD a year), main suppliers."""
    rows = [
        {
            "hsk_code": code,
            "item_name": name,
            "chapter": code[:2],
            "item_group": item_group_of(code),
            "unit_price_usd_per_kg": price,
            "annual_import_musd": value,
            "main_suppliers": suppliers,
        }
        for code, name, price, value, suppliers in _IMPORT_ITEMS
    ]
    return pd.DataFrame(rows)


def export_catalogue() -> pd.DataFrame:
    """Exported items of the replica: code, exports (million USD a year), unit price, destinations."""
    rows = [
        {"hsk_code": code, "annual_export_musd": value, "unit_price_usd_per_kg": price, "destinations": dest}
        for code, value, price, dest in _EXPORT_ITEMS
    ]
    return pd.DataFrame(rows)


def trade_months() -> pd.DatetimeIndex:
    """Months of the trade releases: 2020-01 (so year-to-date sums start in January) to 2025-04."""
    return config.month_range(TRADE_START, config.STUDY_END)


# ---------------------------------------------------------------------------------------------
# Trade: design the series (HSK code x country x flow), then simulate them month by month.
# ---------------------------------------------------------------------------------------------


def _country_price_factor(code: str) -> float:
    if code in EU_MEMBERS:
        return _EU_PRICE_FACTOR
    return _COUNTRY_PRICE_FACTOR.get(code, 1.0)


def _sample_minor(rng: np.random.Generator, pool: dict[str, float], exclude: set[str], k: int) -> list[str]:
    candidates = [c for c in pool if c not in exclude]
    if k <= 0 or not candidates:
        return []
    weights = np.array([pool[c] for c in candidates])
    k = min(k, len(candidates))
    picked = rng.choice(len(candidates), size=k, replace=False, p=weights / weights.sum())
    return [candidates[i] for i in sorted(picked)]


def design_series(
    rng: np.random.Generator,
    catalogue: pd.DataFrame | None = None,
    exports: pd.DataFrame | None = None,
    minor_region_rate: float = 4.0,
    minor_other_rate: float = 2.0,
) -> pd.DataFrame:
    """One row per series (HSK code x partner country x trade flow) with its yearly value,
    typical unit price and kind ('major' supplier from the catalogue or 'minor' occasional one).

    Minor series are small occasional flows from further partners; ``minor_region_rate`` is the
    mean number of such partners per item inside the five freight regions.
    """
    catalogue = item_catalogue() if catalogue is None else catalogue
    exports = export_catalogue() if exports is None else exports
    rows: list[dict] = []

    # Bigger items have more occasional partners; the counts vary little around their mean so
    # that the number of rows a month stays in the range the real releases show.
    sizes = np.concatenate(
        [catalogue["annual_import_musd"].to_numpy(float), exports["annual_export_musd"].to_numpy(float)]
    )
    breadth = np.power(sizes, 0.25)
    breadth /= breadth.mean()

    def count(mean: float) -> int:
        return int(np.floor(mean) + (rng.random() < mean - np.floor(mean)))

    def add_item(code: str, flow: str, value_musd: float, price: float, majors: list[tuple[str, float]], b: float):
        exclude = {c for c, _ in majors}
        minors = _sample_minor(rng, _MINOR_REGION_POOL, exclude, count(minor_region_rate * b))
        minors += _sample_minor(rng, _MINOR_OTHER_POOL, exclude, count(minor_other_rate * b))
        minor_values = np.minimum(
            value_musd * np.clip(rng.lognormal(np.log(0.004), 1.0, size=len(minors)), 0.0002, 0.03),
            _MINOR_MAX_MUSD,
        )
        major_scale = 1.0 - minor_values.sum() / value_musd
        for country, share in majors:
            rows.append(_series_row(code, country, flow, value_musd * share * major_scale, price, "major"))
        for country, value in zip(minors, minor_values):
            rows.append(_series_row(code, country, flow, value, price, "minor"))

    for i, item in enumerate(catalogue.itertuples(index=False)):
        add_item(
            item.hsk_code,
            "I",
            item.annual_import_musd * _IMPORT_SCALE,
            item.unit_price_usd_per_kg,
            _parse_shares(item.main_suppliers),
            breadth[i],
        )
    for j, item in enumerate(exports.itertuples(index=False)):
        add_item(
            item.hsk_code,
            "E",
            item.annual_export_musd,
            item.unit_price_usd_per_kg,
            _parse_shares(item.destinations),
            breadth[len(catalogue) + j],
        )
    return pd.DataFrame(rows)


def _series_row(code: str, country: str, flow: str, value_musd: float, price: float, kind: str) -> dict:
    return {
        "hsk_code": code,
        "country_code": country,
        "trade_flow": flow,
        "annual_value_usd": value_musd * 1e6,
        "base_price": price * (_country_price_factor(country) if flow == "I" else 1.0),
        "kind": kind,
    }


def _typical_shipment_kg(price: np.ndarray) -> np.ndarray:
    """A container of cheap frozen fish weighs ~20 t; a parcel of caviar a few kg."""
    return np.clip(25_000.0 / np.power(price, 0.7), 20.0, 25_000.0)


def _smooth_log_path(anchors: dict[str, float], months: pd.DatetimeIndex) -> np.ndarray:
    """Linear interpolation between anchor months (values in log space), flat beyond the ends."""
    x = np.array([pd.Timestamp(m).year * 12 + pd.Timestamp(m).month for m in anchors])
    y = np.array(list(anchors.values()), dtype=float)
    t = months.year * 12 + months.month
    return np.interp(t, x, y)


# Seafood import prices rose in 2021-22 and eased after; catalogue prices are the 2024-25 level.
_PRICE_LEVEL = {"2020-01": -0.10, "2021-01": -0.09, "2022-09": 0.06, "2024-01": 0.0, "2025-04": 0.0}


def simulate_trade(series: pd.DataFrame, months: pd.DatetimeIndex, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Monthly weight (kg, int) and value (USD, int) of every series: arrays of shape (series, months)."""
    flows = simulate_trade_latent(series, months, rng)
    return {"weight_kg": flows["weight_kg"], "value_usd": flows["value_usd"]}


def simulate_trade_latent(
    series: pd.DataFrame, months: pd.DatetimeIndex, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """``simulate_trade``'s arrays plus the generator's hidden price model, from the same draws:
    ``expected_log_price`` (every persistent component: level, trends, seasons, shifts, drift),
    ``price_noise_sd`` (the month's own noise) and ``odd_shipment`` (a tiny odd shipment month).

    Activity is a persistent on/off chain whose on-probability follows the flow size, with
    starts, stops and pauses; quantities follow a common early-year high, item seasons and a
    slow drift; unit prices carry item trends, seasonal moves, level shifts, persistent drift and
    per-month noise that shrinks with the number of shipments, plus rare tiny odd shipments.
    """
    n_series, n_months = len(series), len(months)
    price0 = series["base_price"].to_numpy(float)
    annual_value = series["annual_value_usd"].to_numpy(float)
    minor = (series["kind"] == "minor").to_numpy()
    items, item_index = np.unique(series["hsk_code"].to_numpy(str), return_inverse=True)
    n_items = len(items)
    month_of_year = months.month.to_numpy()

    # Series-level price and shipment size.
    level_sd = np.where(minor, 0.35, 0.12)
    price_series = price0 * np.exp(rng.normal(0.0, level_sd))
    shipment_kg = _typical_shipment_kg(price_series) * np.exp(rng.normal(0.0, 0.3, n_series))
    monthly_kg = annual_value / price_series / 12.0
    shipments_per_month = monthly_kg / shipment_kg
    # Big flows come every month; small flows now and then. Minor partners are occasional.
    small = minor | (annual_value < _SMALL_FLOW_USD)
    p_on = np.clip(1.0 - np.exp(-1.8 * shipments_per_month), 0.06, np.where(small, 0.97, 0.995))
    p_on = np.where(minor, rng.uniform(0.3, 0.95, n_series), p_on)
    # Occasional partners ship more often early in the year, when imports peak.
    busy = 1.0 + 0.3 * np.cos(2.0 * np.pi * (month_of_year - 2) / 12.0)
    p_on_t = np.where(small[:, None], np.clip(p_on[:, None] * busy[None, :], 0.0, 0.97), p_on[:, None])
    active = _activity(p_on_t, rng, persistence=_PERSISTENCE)
    # Only small flows start late, stop or pause; the big trades run through the whole period.
    active &= _lifetime_mask(n_series, n_months, small, rng)

    # Quantities: common early-year high (imports rise from December to March), item seasons.
    common_season = 1.0 + 0.12 * np.cos(2.0 * np.pi * (month_of_year - 3) / 12.0)
    item_amp = rng.uniform(0.0, 0.35, n_items)
    item_peak = rng.integers(1, 13, n_items)
    item_season = 1.0 + item_amp[:, None] * np.cos(2.0 * np.pi * (month_of_year[None, :] - item_peak[:, None]) / 12.0)
    drift = _ar1(rng, n_series, n_months, phi=0.95, sd=0.06)
    rate_when_on = np.maximum(shipments_per_month / p_on, 1.0)
    n_ship = 1 + rng.poisson((rate_when_on - 1.0)[:, None] * np.ones((1, n_months)))
    expected_kg_when_on = monthly_kg / p_on
    weight = (
        expected_kg_when_on[:, None]
        * (n_ship / rate_when_on[:, None])
        * common_season[None, :]
        * item_season[item_index]
        * np.exp(drift + rng.normal(0.0, 0.25, (n_series, n_months)))
    )

    # Unit prices.
    level = _smooth_log_path(_PRICE_LEVEL, months)
    item_trend = np.cumsum(rng.normal(0.0, 0.012, (n_items, n_months)), axis=1)
    price_amp = rng.uniform(0.0, 0.12, n_items)
    price_peak = rng.integers(1, 13, n_items)
    price_season = price_amp[:, None] * np.cos(2.0 * np.pi * (month_of_year[None, :] - price_peak[:, None]) / 12.0)
    shifts = _level_shifts(rng, n_series, n_months, rate=np.where(minor, 0.8, 0.5), sd=0.22)
    persistent = _ar1(rng, n_series, n_months, phi=0.8, sd=0.045)
    noise_sd = 0.04 + 0.30 / np.sqrt(n_ship)  # product mix averages out over many shipments
    expected_log_price = (
        np.log(price_series)[:, None]
        + level[None, :]
        + item_trend[item_index]
        + price_season[item_index]
        + shifts
        + persistent
    )
    log_price = expected_log_price + rng.normal(0.0, 1.0, (n_series, n_months)) * noise_sd

    # One-off tiny shipments (samples, air parcels) at odd prices: in a big flow they would vanish
    # in the monthly total, so only small series show them.
    odd = active & small[:, None] & (rng.random((n_series, n_months)) < 0.02)
    weight = np.where(odd, np.exp(rng.normal(np.log(15.0), 1.0, (n_series, n_months))), weight)
    log_price = log_price + np.where(odd, rng.normal(*ODD_PRICE_SHIFT, (n_series, n_months)), 0.0)

    weight_kg = np.where(active, np.maximum(np.rint(weight), 1.0), 0.0).astype(np.int64)
    value_usd = np.where(active, np.maximum(np.rint(weight_kg * np.exp(log_price)), 1.0), 0.0).astype(np.int64)
    return {
        "weight_kg": weight_kg,
        "value_usd": value_usd,
        "expected_log_price": expected_log_price,
        "price_noise_sd": noise_sd,
        "odd_shipment": odd & active,
    }


def _ar1(rng: np.random.Generator, n: int, t: int, phi: float, sd: float) -> np.ndarray:
    out = np.empty((n, t))
    out[:, 0] = rng.normal(0.0, sd / np.sqrt(1.0 - phi**2), n)
    shocks = rng.normal(0.0, sd, (n, t))
    for j in range(1, t):
        out[:, j] = phi * out[:, j - 1] + shocks[:, j]
    return out


def _activity(p_on: np.ndarray, rng: np.random.Generator, persistence: float) -> np.ndarray:
    """On/off chain per series (rows) and month (columns): on with probability p_on[:, t] in the
    long run, and a state tends to last (persistence 0 = independent months, 1 = never changes)."""
    stay_on = p_on + persistence * (1.0 - p_on)
    turn_on = p_on * (1.0 - persistence)
    n, t = p_on.shape
    out = np.empty((n, t), dtype=bool)
    draws = rng.random((n, t))
    out[:, 0] = draws[:, 0] < p_on[:, 0]
    for j in range(1, t):
        out[:, j] = np.where(out[:, j - 1], draws[:, j] < stay_on[:, j], draws[:, j] < turn_on[:, j])
    return out


def _lifetime_mask(n: int, t: int, small: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Small series that start late, stop early, or pause for a few months."""
    col = np.arange(t)[None, :]
    starts_late = small & (rng.random(n) < 0.2)
    stops_early = small & (rng.random(n) < 0.15)
    start = np.where(starts_late, rng.integers(1, t - 6, n), 0)
    stop = np.where(stops_early, np.minimum(start + rng.integers(6, t, n), t), t)
    pauses = small & (rng.random(n) < 0.2)
    pause_start = rng.integers(0, t, n)
    pause_end = np.where(pauses, pause_start + rng.integers(2, 9, n), pause_start)
    alive = (col >= start[:, None]) & (col < stop[:, None])
    paused = (col >= pause_start[:, None]) & (col < pause_end[:, None])
    return alive & ~paused


def _level_shifts(rng: np.random.Generator, n: int, t: int, rate: np.ndarray, sd: float) -> np.ndarray:
    """Step changes of the price level (new grade, new supplier) at random months."""
    out = np.zeros((n, t))
    counts = rng.poisson(rate)
    for i in np.flatnonzero(counts):
        for _ in range(counts[i]):
            out[i, rng.integers(1, t) :] += rng.normal(0.0, sd)
    return out


def _published_rows(series: pd.DataFrame, flows: dict[str, np.ndarray], months: pd.DatetimeIndex) -> pd.DataFrame:
    """Rows as the releases hold them: a series appears in every release of a calendar year from
    its first trade that year on (0 kg in the months without trade), with year-to-date sums."""
    weight, value = flows["weight_kg"], flows["value_usd"]
    ytd_weight = np.zeros_like(weight)
    ytd_value = np.zeros_like(value)
    present = np.zeros(weight.shape, dtype=bool)
    years = months.year.to_numpy()
    for year in np.unique(years):
        cols = np.flatnonzero(years == year)
        ytd_weight[:, cols] = np.cumsum(weight[:, cols], axis=1)
        ytd_value[:, cols] = np.cumsum(value[:, cols], axis=1)
        present[:, cols] = np.cumsum(weight[:, cols] > 0, axis=1) > 0
    s_idx, m_idx = np.nonzero(present)
    out = pd.DataFrame(
        {
            "month": months[m_idx],
            "hsk_code": series["hsk_code"].to_numpy(str)[s_idx],
            "trade_flow": series["trade_flow"].to_numpy(str)[s_idx],
            "country_code": series["country_code"].to_numpy(str)[s_idx],
            "weight_kg": weight[s_idx, m_idx],
            "value_usd": value[s_idx, m_idx],
            "ytd_weight_kg": ytd_weight[s_idx, m_idx],
            "ytd_value_usd": ytd_value[s_idx, m_idx],
        }
    )
    return out


def trade_records(
    rng: np.random.Generator,
    blank_code_share: float = 0.012,
    blank_bloc_share: float = 0.02,
) -> pd.DataFrame:
    """Every row of every trade release 2020-01..2025-04, typed, with English column names.

    Columns: month, hsk_code (10 digits), trade_flow (E/I), trade_flow_name, country_code
    (ISO2, blank in a small share of country-releases, the name stays), country_name,
    economic_bloc (sometimes blank), item_name, weight_kg, value_usd, ytd_weight_kg,
    ytd_value_usd, reference_date (month end).
    """
    months = trade_months()
    catalogue = item_catalogue()
    series = design_series(rng, catalogue)
    flows = simulate_trade(series, months, rng)
    rows = _published_rows(series, flows, months)

    names = dict(zip(catalogue["hsk_code"], catalogue["item_name"]))
    rows["item_name"] = rows["hsk_code"].map(names)
    rows["trade_flow_name"] = rows["trade_flow"].map({"E": "수출", "I": "수입"})
    rows["country_name"] = rows["country_code"].map(COUNTRY_NAMES)
    rows["economic_bloc"] = rows["country_code"].map(economic_bloc)
    rows["reference_date"] = rows["month"] + pd.offsets.MonthEnd(0)

    # Some releases leave a country's code or economic bloc blank; the Korean name stays.
    pairs = rows[["month", "country_code"]].drop_duplicates().sort_values(["month", "country_code"])
    blank_code = pairs[rng.random(len(pairs)) < blank_code_share]
    blank_bloc = pairs[rng.random(len(pairs)) < blank_bloc_share]
    key = pd.MultiIndex.from_frame(rows[["month", "country_code"]])
    code_is_blank = key.isin(pd.MultiIndex.from_frame(blank_code))
    bloc_is_blank = key.isin(pd.MultiIndex.from_frame(blank_bloc))
    rows["economic_bloc"] = rows["economic_bloc"].where(~bloc_is_blank, "")
    rows["country_code"] = rows["country_code"].where(~code_is_blank, "")

    columns = [
        "month",
        "hsk_code",
        "trade_flow",
        "trade_flow_name",
        "country_code",
        "country_name",
        "economic_bloc",
        "item_name",
        "weight_kg",
        "value_usd",
        "ytd_weight_kg",
        "ytd_value_usd",
        "reference_date",
    ]
    order = rows.sort_values(["month", "trade_flow", "hsk_code", "country_name"], kind="stable")
    return order[columns].reset_index(drop=True)


def latent_price_model(seed: int) -> pd.DataFrame:
    """The replica's hidden price model for every traded series-month (weight > 0) of the
    ``write_replica`` seed: month, hsk_code, trade_flow, country_code, expected_log_price,
    price_noise_sd, odd_shipment. Only the noise-ceiling analysis reads it; detectors never do."""
    rng = source_rng(seed, "trade")
    months = trade_months()
    series = design_series(rng, item_catalogue())
    flows = simulate_trade_latent(series, months, rng)
    s_idx, m_idx = np.nonzero(flows["weight_kg"] > 0)
    return pd.DataFrame(
        {
            "month": months[m_idx],
            "hsk_code": series["hsk_code"].to_numpy(str)[s_idx],
            "trade_flow": series["trade_flow"].to_numpy(str)[s_idx],
            "country_code": series["country_code"].to_numpy(str)[s_idx],
            "expected_log_price": flows["expected_log_price"][s_idx, m_idx],
            "price_noise_sd": flows["price_noise_sd"][s_idx, m_idx],
            "odd_shipment": flows["odd_shipment"][s_idx, m_idx],
        }
    )


def noise_figures(records: pd.DataFrame) -> dict[str, float]:
    """How noisy monthly unit values are, over import rows with weight > 0 in two consecutive months.

    Returns the number of such rows, the median absolute change of log unit price (all rows, the
    smallest and the largest quarter of flows by weight), and the share of those rows whose unit
    price is more than a factor 2 from the median unit price of their own series (all positive
    rows of the series). A series is HSK code x country: the Korean country name when the frame
    has one (it is never blank, unlike the code), else the country code.
    """
    frame = records
    if "trade_flow" in frame.columns:
        frame = frame[frame["trade_flow"] == "I"]
    frame = frame[frame["weight_kg"] > 0]
    key = ["hsk_code", "country_name" if "country_name" in frame.columns else "country_code"]
    frame = frame[[*key, "month", "weight_kg", "value_usd"]].copy()
    frame["log_price"] = np.log(frame["value_usd"].astype(float) / frame["weight_kg"].astype(float))
    frame["series_median"] = frame.groupby(key)["log_price"].transform("median")
    previous = frame[[*key, "month", "log_price"]].assign(month=frame["month"] + pd.DateOffset(months=1))
    pairs = frame.merge(previous, on=[*key, "month"], suffixes=("", "_previous"), how="inner")
    change = (pairs["log_price"] - pairs["log_price_previous"]).abs()
    small = pairs["weight_kg"] <= pairs["weight_kg"].quantile(0.25)
    large = pairs["weight_kg"] >= pairs["weight_kg"].quantile(0.75)
    far = (pairs["log_price"] - pairs["series_median"]).abs() > np.log(2.0)
    return {
        "rows": len(pairs),
        "median_abs_dlog_price": float(change.median()),
        "median_abs_dlog_price_smallest_quarter": float(change[small].median()),
        "median_abs_dlog_price_largest_quarter": float(change[large].median()),
        "share_beyond_factor_2": float(far.mean()),
    }


# ---------------------------------------------------------------------------------------------
# Freight and macro series: known public values at named months, plausible paths between them.
# ---------------------------------------------------------------------------------------------

FREIGHT_FACTS = {
    "2019-01": (2065, 1830, 1136, 712, 769, 423),
    "2019-02": (1636, 1850, 1164, 690, 762, 427),
    "2019-03": (1692, 1491, 1142, 680, 892, 429),
}
FREIGHT_EU_2020_05 = 1442
FREIGHT_BLANK_VIETNAM = ("2019-04", "2019-05")

# Container freight relative to 2019 (log scale): pandemic peak 2021-22, slump through 2023,
# Red Sea rise in 2024.
_FREIGHT_LEVEL = {
    "2019-01": 0.0,
    "2020-03": 0.0,
    "2020-05": 0.2,
    "2020-09": 0.4,
    "2020-12": 0.7,
    "2021-03": 0.95,
    "2021-06": 1.15,
    "2021-09": 1.4,
    "2021-12": 1.55,
    "2022-03": 1.5,
    "2022-06": 1.4,
    "2022-09": 1.15,
    "2022-12": 0.7,
    "2023-03": 0.4,
    "2023-06": 0.22,
    "2023-09": 0.12,
    "2023-12": 0.08,
    "2024-03": 0.4,
    "2024-06": 0.7,
    "2024-08": 0.9,
    "2024-12": 0.7,
    "2025-02": 0.6,
    "2025-04": 0.5,
}
_ROUTE_AMPLITUDE = {"미국서부": 1.0, "미국동부": 0.95, "유럽연합": 1.05, "중국": 0.6, "일본": 0.45, "베트남": 0.75}
_EU_RED_SEA = {"2023-11": 0.0, "2024-02": 0.3, "2024-10": 0.3, "2025-01": 0.0}


def freight_series(rng: np.random.Generator) -> pd.DataFrame:
    """Sea-freight import cost by route, 2019-01..2025-04, in 천원 per 2 TEU (float, NaN where
    the original is blank). Columns: month and the six routes of ``config.FREIGHT_ROUTES``."""
    months = config.month_range(FREIGHT_START, config.STUDY_END)
    base = np.array(FREIGHT_FACTS["2019-01"], float) + FREIGHT_FACTS["2019-02"] + FREIGHT_FACTS["2019-03"]
    base /= 3.0
    common = _smooth_log_path(_FREIGHT_LEVEL, months)
    red_sea = _smooth_log_path(_EU_RED_SEA, months)
    facts = [months.get_loc(pd.Timestamp(m)) for m in FREIGHT_FACTS]
    out = pd.DataFrame({"month": months})
    for j, route in enumerate(config.FREIGHT_ROUTES):
        log_path = _ROUTE_AMPLITUDE[route] * common + (red_sea if route == "유럽연합" else 0.0)
        log_path = log_path + _tied_noise(rng, len(months), facts, sd=0.05, phi=0.6)
        out[route] = np.rint(base[j] * np.exp(log_path))
    for month, values in FREIGHT_FACTS.items():
        out.loc[out["month"] == pd.Timestamp(month), list(config.FREIGHT_ROUTES)] = np.array(values, float)
    out.loc[out["month"] == pd.Timestamp("2020-05"), "유럽연합"] = float(FREIGHT_EU_2020_05)
    out.loc[out["month"].isin([pd.Timestamp(m) for m in FREIGHT_BLANK_VIETNAM]), "베트남"] = np.nan
    return out


def _tied_noise(rng: np.random.Generator, t: int, ties: list[int], sd: float, phi: float) -> np.ndarray:
    """Smooth AR(1) noise (innovation sd ``sd``) pulled to zero at the ``ties`` indices (months
    with a published value), by subtracting the line through its values there."""
    noise = _ar1(rng, 1, t, phi=phi, sd=sd)[0]
    if not ties:
        return noise
    ties = sorted(set(ties))
    return noise - np.interp(np.arange(t), ties, noise[ties])


# Public monthly values at named months (from the issue), and rounded guide values between them.
FX_FACTS = {
    "2020-05": 1228.67,
    "2020-06": 1210.01,
    "2020-07": 1198.90,
    "2020-08": 1186.85,
    "2020-09": 1178.80,
    "2024-07": 1383.38,
    "2024-12": 1434.42,
    "2025-02": 1445.56,
    "2025-04": 1444.31,
}
_FX_GUIDE = {
    "2020-12": 1097,
    "2021-03": 1131,
    "2021-06": 1121,
    "2021-09": 1170,
    "2021-12": 1183,
    "2022-03": 1220,
    "2022-06": 1280,
    "2022-10": 1427,
    "2022-12": 1296,
    "2023-03": 1305,
    "2023-06": 1296,
    "2023-10": 1350,
    "2023-12": 1305,
    "2024-04": 1368,
    "2024-09": 1335,
    "2025-01": 1455,
}
OIL_FACTS = {
    "dubai": {
        "2020-05": 30.47,
        "2020-06": 40.80,
        "2020-07": 43.30,
        "2020-08": 44.00,
        "2020-09": 41.51,
        "2024-07": 83.83,
        "2024-12": 73.23,
        "2025-02": 77.92,
        "2025-04": 67.74,
    },
    "brent": {"2020-05": 32.41, "2020-06": 40.77, "2020-07": 43.22, "2020-08": 45.02, "2020-09": 41.87},
    "wti": {"2020-05": 28.53, "2020-06": 38.31, "2020-07": 40.77, "2020-08": 42.39, "2020-09": 39.63},
    "oman": {"2020-05": 30.75, "2020-06": 40.85, "2020-07": 43.41, "2020-08": 44.22, "2020-09": 41.58},
}
_DUBAI_GUIDE = {
    "2020-12": 49.8,
    "2021-03": 62.4,
    "2021-06": 71.6,
    "2021-10": 81.6,
    "2021-12": 73.2,
    "2022-03": 110.9,
    "2022-06": 113.3,
    "2022-09": 90.6,
    "2022-12": 77.2,
    "2023-03": 78.5,
    "2023-06": 74.8,
    "2023-09": 93.3,
    "2023-12": 77.3,
    "2024-04": 89.2,
    "2024-09": 73.5,
    "2025-01": 80.0,
}
# Typical spread of each benchmark over Dubai (log ratio) once the 2020 facts end.
_OIL_SPREAD = {"brent": 0.025, "wti": -0.02, "oman": 0.004}
CPI_FACTS = {
    "2020-05": 99.44,
    "2020-06": 99.71,
    "2020-07": 99.63,
    "2020-08": 100.19,
    "2020-09": 100.74,
    "2024-07": 114.13,
    "2024-12": 114.91,
    "2025-02": 116.08,
    "2025-04": 116.38,
}
_CPI_GUIDE = {
    "2020-12": 100.4,
    "2021-06": 102.1,
    "2021-12": 104.0,
    "2022-06": 108.2,
    "2022-12": 109.3,
    "2023-06": 111.0,
    "2023-12": 112.7,
    "2024-03": 113.9,
}
PPI_FACTS = {
    "2020-05": 98.96,
    "2020-06": 99.47,
    "2020-07": 99.69,
    "2020-08": 100.18,
    "2020-09": 100.38,
    "2024-07": 119.56,
    "2024-12": 119.52,
    "2025-02": 120.33,
    "2025-04": 120.14,
}
_PPI_GUIDE = {
    "2020-12": 101.0,
    "2021-06": 107.6,
    "2021-12": 112.0,
    "2022-06": 120.6,
    "2022-12": 118.9,
    "2023-06": 119.3,
    "2023-12": 119.9,
    "2024-04": 120.4,
}


def _anchored_path(
    facts: dict[str, float], guide: dict[str, float], months: pd.DatetimeIndex, rng: np.random.Generator, sd: float
) -> np.ndarray:
    """Log-linear interpolation through the facts and guide values, smooth noise that vanishes at
    the facts (the guide values get noise too), then the facts re-pinned exactly."""
    anchors = dict(sorted({**guide, **facts}.items()))
    log_path = _smooth_log_path({m: np.log(v) for m, v in anchors.items()}, months)
    ties = [months.get_loc(pd.Timestamp(m)) for m in facts]
    values = np.exp(log_path + _tied_noise(rng, len(months), ties, sd=sd, phi=0.7))
    for month, value in facts.items():
        values[months.get_loc(pd.Timestamp(month))] = value
    return values


def macro_series(rng: np.random.Generator) -> pd.DataFrame:
    """Monthly KRW/USD, crude oil (Dubai, Brent, WTI, Oman; USD/bbl), CPI and PPI (2020=100),
    2020-05..2025-04, rounded to 2 decimals as published."""
    months = config.month_range()
    out = pd.DataFrame({"month": months})
    out["usd_krw"] = _anchored_path(FX_FACTS, _FX_GUIDE, months, rng, sd=0.008)
    dubai = _anchored_path(OIL_FACTS["dubai"], _DUBAI_GUIDE, months, rng, sd=0.03)
    out["dubai_usd"] = dubai
    for name in ("brent", "wti", "oman"):
        facts = OIL_FACTS[name]
        spread_facts = {m: np.log(v / OIL_FACTS["dubai"][m]) for m, v in facts.items()}
        guide = {"2021-03": _OIL_SPREAD[name], "2025-04": _OIL_SPREAD[name]}
        anchors = dict(sorted({**guide, **spread_facts}.items()))
        spread = _smooth_log_path(anchors, months) + 0.25 * _ar1(rng, 1, len(months), 0.6, 0.02)[0] * (
            months >= pd.Timestamp("2020-10")
        )
        values = dubai * np.exp(spread)
        for month, value in facts.items():
            values[months.get_loc(pd.Timestamp(month))] = value
        out[f"{name}_usd"] = values
    out["cpi"] = _anchored_path(CPI_FACTS, _CPI_GUIDE, months, rng, sd=0.001)
    out["ppi"] = _anchored_path(PPI_FACTS, _PPI_GUIDE, months, rng, sd=0.002)
    value_columns = [c for c in out.columns if c != "month"]
    out[value_columns] = out[value_columns].round(2)
    return out


# ---------------------------------------------------------------------------------------------
# Formatters to the original layouts (text frames, ready to be written).
# ---------------------------------------------------------------------------------------------

_MONTH_ABBREVIATIONS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def published_hsk_code(hsk_code: pd.Series) -> pd.Series:
    """HSK codes as the by-country releases print them: chapters 01-09 lose the leading zero."""
    codes = hsk_code.astype(str)
    return codes.where(~codes.str.startswith("0"), codes.str[1:])


def format_trade_release(records: pd.DataFrame) -> pd.DataFrame:
    """Rows of one release in the original layout (13 Korean columns, text cells)."""
    out = pd.DataFrame(
        {
            "month": records["month"].dt.strftime("%Y-%m"),
            "country_code": records["country_code"],
            "hsk_code": published_hsk_code(records["hsk_code"]),
            "trade_flow": records["trade_flow"],
            "trade_flow_name": records["trade_flow_name"],
            "country_name": records["country_name"],
            "economic_bloc": records["economic_bloc"],
            "item_name": records["item_name"],
            "weight_kg": records["weight_kg"].astype("int64").astype(str),
            "value_usd": records["value_usd"].astype("int64").astype(str),
            "ytd_weight_kg": records["ytd_weight_kg"].astype("int64").astype(str),
            "ytd_value_usd": records["ytd_value_usd"].astype("int64").astype(str),
            "reference_date": records["reference_date"].dt.strftime("%Y-%m-%d"),
        }
    )
    return out.rename(columns=TRADE_COLUMNS)


def format_freight(freight: pd.DataFrame) -> pd.DataFrame:
    """`기간` (YYYY-MM) and the six routes as integers in 천원, blank where missing."""
    out = pd.DataFrame({"기간": freight["month"].dt.strftime("%Y-%m")})
    for route in config.FREIGHT_ROUTES:
        out[route] = [("" if np.isnan(v) else str(int(v))) for v in freight[route]]
    return out


def format_exchange_rate(macro: pd.DataFrame) -> pd.DataFrame:
    """`날짜` ("May-20") and `환율` as text with a thousands separator ("1,228.67")."""
    labels = [f"{_MONTH_ABBREVIATIONS[m.month - 1]}-{m.year % 100:02d}" for m in macro["month"]]
    return pd.DataFrame({"날짜": labels, "환율": [f"{v:,.2f}" for v in macro["usd_krw"]]})


def format_oil(macro: pd.DataFrame) -> pd.DataFrame:
    """`월` ("05월", no year), `유종` (blank) and the four benchmarks in USD/bbl."""
    out = pd.DataFrame({"월": [f"{m.month:02d}월" for m in macro["month"]], "유종": ""})
    for column, name in (("dubai_usd", "Dubai"), ("brent_usd", "Brent"), ("wti_usd", "WTI"), ("oman_usd", "Oman")):
        out[name] = [f"{v:.2f}" for v in macro[column]]
    return out


def format_cpi(macro: pd.DataFrame) -> pd.DataFrame:
    """`시점` as text ("2020.05", "2020.10") and `전국`."""
    return pd.DataFrame({"시점": macro["month"].dt.strftime("%Y.%m"), "전국": [f"{v:.2f}" for v in macro["cpi"]]})


def format_ppi(macro: pd.DataFrame) -> pd.DataFrame:
    """`시점` as text and `총지수`."""
    return pd.DataFrame({"시점": macro["month"].dt.strftime("%Y.%m"), "총지수": [f"{v:.2f}" for v in macro["ppi"]]})


def _csv_bytes(frame: pd.DataFrame, encoding: str, line_end: str = "\r\n") -> bytes:
    text = frame.to_csv(index=False, lineterminator=line_end)
    return text.encode(encoding)


def _write_atomic(path: Path, data: bytes) -> Path:
    """Write to a temporary file beside the target and rename it, so no half file remains."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def source_rng(seed: int, source: str) -> np.random.Generator:
    """The random stream ``write_replica`` uses for one source ("trade", "freight" or "macro"):
    ``trade_records(source_rng(seed, "trade"))`` gives the records behind the written files."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), _STREAMS[source]]))


def write_replica(out_dir: str | Path, seed: int) -> dict[str, list[Path]]:
    """Write the six sources of the synthetic replica into ``out_dir/<source folder>/`` in their
    original layouts, then the ``SYNTHETIC.json`` marker. Returns the written files by source
    (and "marker"). Same seed, same bytes."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    marker = out_dir / config.SYNTHETIC_MARKER
    marker.unlink(missing_ok=True)  # a half-rewritten directory must not pass for a complete replica
    folders = {name: out_dir / folder for name, folder in config.RAW_SOURCE_DIRS.items()}
    written: dict[str, list[Path]] = {name: [] for name in folders}

    records = trade_records(source_rng(seed, "trade"))
    for month, release in records.groupby("month", sort=True):
        name = TRADE_FILE_PATTERN.format(yyyymm=f"{month:%Y%m}")
        data = _csv_bytes(format_trade_release(release), "cp949")
        written["trade"].append(_write_atomic(folders["trade"] / name, data))

    freight = freight_series(source_rng(seed, "freight"))
    written["freight"].append(
        _write_atomic(folders["freight"] / FREIGHT_FILE, _csv_bytes(format_freight(freight), "cp949"))
    )

    macro = macro_series(source_rng(seed, "macro"))
    outputs = (
        ("exchange_rate", EXCHANGE_RATE_FILE, format_exchange_rate, "utf-8-sig"),
        ("oil", OIL_FILE, format_oil, "cp949"),
        ("cpi", CPI_FILE, format_cpi, "cp949"),
        ("ppi", PPI_FILE, format_ppi, "cp949"),
    )
    for source, file_name, formatter, encoding in outputs:
        written[source].append(_write_atomic(folders[source] / file_name, _csv_bytes(formatter(macro), encoding)))

    info = {"kind": "synthetic", "seed": int(seed), "generator": "customs_anomaly.synth", "version": __version__}
    payload = (json.dumps(info, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    written["marker"] = [_write_atomic(marker, payload)]
    return written
