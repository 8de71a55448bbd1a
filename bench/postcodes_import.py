"""Benchmark: `frontdoor postcodes import` on a generated ONSPD-shaped file of 2.7 million rows
(the size of the national file): rows per second and the import process's peak memory, on
SQLite and, when given a scratch database, PostgreSQL.

    .venv/bin/python bench/postcodes_import.py [--rows 2700000] [--zip]
        [--postgresql postgresql+psycopg://postgres@127.0.0.1:5432/scratch]

The file is written to a temporary folder and deleted afterwards. Each import is the real
command (`frontdoor postcodes import FILE --lad E06000015`) in a child process of its own;
its peak memory is the kernel's high-water mark of resident memory for that process (VmHWM,
the ru_maxrss that wait4 hands back). The same command on a file a hundredth the size runs
first: the same peak on both shows memory does not grow with the file. Seconds are the whole
command, start-up included. --postgresql EMPTIES the database it is given.

Prints figures; it asserts nothing (the target, under 200 MB, is in issue #14)."""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DERBY = "E06000015"
DERBY_WARDS = [f"E050155{n:02d}" for n in range(7, 25)]    # the 18 wards from May 2023
DERBY_DISTRICTS = ["DE1", "DE3", "DE21", "DE22", "DE23", "DE24", "DE65", "DE73"]
DERBY_SHARE = 300          # one row in 300 is Derby's: 9,000 of 2.7 million, as in ONSPD
TERMINATED_SHARE = 3       # about a third of ONSPD's rows are terminated postcodes
HEADER = (
    "pcd,pcd2,pcds,dointr,doterm,oscty,ced,oslaua,osward,parish,usertype,oseast1m,osnrth1m,"
    "osgrdind,oshlthau,nhser,ctry,rgn,streg,pcon,eer,teclec,ttwa,pct,itl,statsward,oa01,"
    "casward,park,lsoa01,msoa01,ur01ind,oac01,oa11,lsoa11,msoa11,wz11,sicbl,bua11,buasd11,"
    "ru11ind,oac11,lat,long,lep1,lep2,pfa,imd,calncv,icb,oa21,lsoa21,msoa21")
AREAS = ["AB", "B", "BA", "BD", "BH", "BL", "BN", "BS", "CB", "CF", "CH", "CM", "CV", "DN",
         "E", "EX", "G", "GL", "HP", "HU", "L", "LE", "LS", "M", "ME", "N", "NE", "NG", "NR",
         "OX", "PE", "PL", "PO", "RG", "S", "SA", "SE", "SK", "SO", "ST", "SW", "TN", "W", "WS"]
LETTERS = "ABDEFGHJLNPQRSTUWXYZ"   # the letters ONS uses in the inward code


def _inward(n: int) -> str:
    return f"{n % 10}{LETTERS[n // 10 % 20]}{LETTERS[n // 200 % 20]}"


def write_onspd(path: Path, rows: int) -> int:
    """An ONSPD-shaped CSV with `rows` rows; returns how many are Derby's."""
    # The columns after osward, as one typical row has them (lengths close to the real file).
    tail = ("E04000000,0,{e},{n},1,E18000004,E40000004,E92000001,E12000004,0,E14000000,"
            "E15000004,E16000000,E30000000,E38000000,E99999999,E05000000,E00000000,00FKMX,"
            "E99999999,E01000000,E02000000,5,3B2,E00000000,E01000000,E02000000,E33000000,"
            "E38000000,E34000000,E35000000,C1,3B2,{lat},{lon},E37000000,,E23000000,12345,"
            "E56000000,E54000000,E00000000,E01000000,E02000000")
    derby = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(HEADER + "\r\n")
        out = []
        for i in range(rows):
            if i % DERBY_SHARE == 0:
                district = DERBY_DISTRICTS[derby % len(DERBY_DISTRICTS)]
                inward = _inward(derby // len(DERBY_DISTRICTS))
                lad, ward, county = DERBY, DERBY_WARDS[derby % 18], "E99999999"
                derby += 1
            else:
                district = f"{AREAS[i % len(AREAS)]}{i // len(AREAS) % 97 + 1}"
                inward = _inward(i // (len(AREAS) * 97))
                lad, ward, county = f"E07000{i % 360:03d}", f"E05{i % 9000:06d}", "E10000007"
            doterm = "202005" if i // DERBY_SHARE % TERMINATED_SHARE == 1 else ""
            out.append(f"{district.ljust(4)}{inward},{district.ljust(5)}{inward},"
                       f"{district} {inward},198001,{doterm},{county},E58000000,{lad},{ward},"
                       + tail.format(e=430000 + i % 9999, n=335000 + i % 9999,
                                     lat=f"52.{i % 999999:06d}", lon=f"-1.{i % 999999:06d}")
                       + "\r\n")
            if len(out) == 10000:
                f.writelines(out)
                out.clear()
        f.writelines(out)
    return derby


def _memory() -> dict[str, int]:
    """This process's peak (VmHWM) and current (VmRSS) resident memory, in bytes."""
    status = Path("/proc/self/status").read_text()
    return {key: int(found.group(1)) * 1024 for key in ("VmHWM", "VmRSS")
            if (found := re.search(rf"{key}:\s+(\d+) kB", status))}


def measure(args: list[str]) -> None:
    """In the child: start the app as every command does, then reset the kernel's high-water
    mark of resident memory and run the command, so its own peak is seen apart from start-up."""
    from frontdoor import create_app
    from frontdoor.cli import main

    create_app()
    startup = _memory()
    # Writing 5 to clear_refs resets VmHWM to the current resident size (Linux 4.0 and later).
    Path("/proc/self/clear_refs").write_text("5")
    started = time.perf_counter()
    main(args, standalone_mode=False)
    seconds = time.perf_counter() - started
    print("BENCH " + json.dumps({"seconds": seconds, "startup_peak": startup["VmHWM"],
                                 "before": startup["VmRSS"], "peak": _memory()["VmHWM"]}))


def frontdoor(args: list[str], database_url: str) -> tuple[dict[str, float], str]:
    """Run a `frontdoor` command from this checkout in a child process: its figures, output."""
    env = {**os.environ, "DATABASE_URL": database_url, "FRONTDOOR_ENV": "development",
           "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    child = subprocess.run([sys.executable, __file__, "--measure", *args], env=env, cwd=ROOT,
                           capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    figures = next((json.loads(line[6:]) for line in child.stdout.splitlines()
                    if line.startswith("BENCH ")), None)
    if child.returncode != 0 or figures is None:
        raise SystemExit(f"frontdoor {' '.join(args)} failed:\n{child.stdout}{child.stderr}")
    return {**figures, "wall": wall}, child.stdout


def prepare(database_url: str) -> None:
    if database_url.startswith("postgresql"):
        import sqlalchemy as sa

        engine = sa.create_engine(database_url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public;"))
        engine.dispose()
    frontdoor(["db", "upgrade"], database_url)
    frontdoor(["load-config", "--dir", str(ROOT / "config" / "demo")], database_url)


def stored(output: str) -> str:
    """'8,612 postcodes stored' and anything removed, from the command's report."""
    found = re.findall(r"[\d,]+ postcodes stored|Removed [\d,]+", output)
    return ", ".join(found) or "?"


def main() -> None:
    if sys.argv[1:2] == ["--measure"]:
        measure(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2_700_000)
    parser.add_argument("--zip", action="store_true",
                        help="Also import the file from a zip, as ONS publishes it.")
    parser.add_argument("--postgresql", metavar="URL", default=None,
                        help="A scratch PostgreSQL database to run on too (it is emptied).")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="frontdoor-bench-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        big, small = folder / "ONSPD_BENCH_UK.csv", folder / "ONSPD_BENCH_SMALL.csv"
        derby = write_onspd(big, options.rows)
        write_onspd(small, options.rows // 100)
        runs = [(f"{options.rows // 100:,} rows", small, options.rows // 100, []),
                (f"{options.rows:,} rows", big, options.rows, []),
                ("same again, --replace", big, options.rows, ["--replace"])]
        if options.zip:
            archive = folder / "ONSPD_BENCH_UK.zip"
            with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
                z.write(big, "Data/ONSPD_BENCH_UK.csv")
            runs.append((f"{options.rows:,} rows, zip", archive, options.rows, []))
        print(f"postcodes import: generated ONSPD-shaped file, {options.rows:,} rows "
              f"({big.stat().st_size / 1e6:,.0f} MB), {derby:,} of them Derby's "
              f"({DERBY}), a third of those terminated; written in "
              f"{time.perf_counter() - started:.0f} s")
        print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
              f"{platform.system()} {platform.release()}\n")

        databases = [("sqlite", f"sqlite:///{folder / 'bench.db'}")]
        if options.postgresql:
            databases.append(("postgresql", options.postgresql))
        mb = 2**20
        print(f"{'database':<11} {'file':<24} {'rows/s':>10} {'import s':>9} {'RSS before':>11} "
              f"{'peak in import':>15} {'process peak':>13}  result")
        for name, url in databases:
            prepare(url)
            for label, path, rows, extra in runs:
                figures, output = frontdoor(
                    ["postcodes", "import", str(path), "--lad", DERBY, *extra], url)
                process_peak = max(figures["startup_peak"], figures["peak"])
                print(f"{name:<11} {label:<24} {rows / figures['seconds']:>10,.0f} "
                      f"{figures['seconds']:>9.1f} {figures['before'] / mb:>8.0f} MB "
                      f"{figures['peak'] / mb:>12.0f} MB {process_peak / mb:>10.0f} MB  "
                      f"{stored(output)}")
        print("""
rows/s and import s: the command itself, after the app has started (start-up, about a
second, is the same for every command). RSS before: resident memory once the app has
started. Peak in import: the kernel's high-water mark while the command ran. Process peak:
the larger of that and the start-up peak.""")


if __name__ == "__main__":
    main()
