"""Small files in the ONS Postcode Directory's real layouts, built by the tests.

Headers as published: ONSPD February 2023 (ward column `osward`, local authority
`oslaua`), NSPL May 2025 (`ward`, `laua`, every field quoted like ONS's own rows), and the
newer year-coded column names (`PCDS`, `LAD25CD`, `WD25CD`). Source: the column formats
collected in the project's shared reference data (ONS, Open Government Licence v3)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

ONSPD_HEADER = (
    "pcd,pcd2,pcds,dointr,doterm,oscty,ced,oslaua,osward,parish,usertype,oseast1m,osnrth1m,"
    "osgrdind,oshlthau,nhser,ctry,rgn,streg,pcon,eer,teclec,ttwa,pct,itl,statsward,oa01,"
    "casward,park,lsoa01,msoa01,ur01ind,oac01,oa11,lsoa11,msoa11,wz11,sicbl,bua11,buasd11,"
    "ru11ind,oac11,lat,long,lep1,lep2,pfa,imd,calncv,icb,oa21,lsoa21,msoa21")
NSPL_HEADER = (
    "pcd,pcd2,pcds,dointr,doterm,usertype,oseast1m,osnrth1m,osgrdind,oa21,cty,ced,laua,ward,"
    "nhser,ctry,rgn,pcon,ttwa,itl,park,lsoa21,msoa21,wz11,sicbl,bua24,ruc21,oac11,lat,long,"
    "lep1,lep2,pfa,imd,icb")
YEAR_CODED_HEADER = "PCDS,DOINTR,DOTERM,LAD25CD,LAD25NM,WD25CD,WD25NM,OA21CD,LAT,LONG"

LAD = {"onspd": "oslaua", "nspl": "laua", "year-coded": "lad25cd"}
WARD = {"onspd": "osward", "nspl": "ward", "year-coded": "wd25cd"}
HEADER = {"onspd": ONSPD_HEADER, "nspl": NSPL_HEADER, "year-coded": YEAR_CODED_HEADER}


@dataclass(frozen=True)
class Row:
    postcode: str          # as ONS writes pcds: "DE22 1XA"
    lad: str = "E06000015"
    ward: str = "E05015517"
    terminated: str = ""   # YYYYMM when the postcode was terminated


def fields(row: Row, layout: str) -> list[str]:
    """A full row in `layout`, with the postcode's three spellings and filler elsewhere."""
    names = HEADER[layout].lower().split(",")
    outward, inward = row.postcode.split()
    values = {"pcd": outward.ljust(4) + inward, "pcd2": outward.ljust(5) + inward,
              "pcds": row.postcode, "dointr": "198001", "doterm": row.terminated,
              LAD[layout]: row.lad, WARD[layout]: row.ward,
              "lat": "52.9", "long": "-1.47"}
    return [values.get(name, "E99999999") for name in names]


def ons_text(layout: str, rows: list[Row | str], quoted: bool = False) -> str:
    """The file's text: a `str` row is written as it is (a bad line)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n",
                        quoting=csv.QUOTE_ALL if quoted else csv.QUOTE_MINIMAL)
    writer.writerow(HEADER[layout].split(","))
    for row in rows:
        if isinstance(row, str):
            out.write(row + "\r\n")
        else:
            writer.writerow(fields(row, layout))
    return out.getvalue()


def write_ons_file(path: Path, layout: str, rows: list[Row | str], quoted: bool = False) -> Path:
    path.write_text(ons_text(layout, rows, quoted), encoding="utf-8")
    return path
