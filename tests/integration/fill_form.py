"""Fills duban's progress forms the way a unit does in Excel, with openpyxl (not our writer).

Usage: python3 fill_form.py PLAN.json
PLAN is a list of files: {"form": path, "out": path, "reported_on": "2026-12-25" | 20261225,
"rows": {task: {"text": ..., "percent": number or text, "status": ..., "date": "YYYY-MM-DD"}},
"sub_items": {task: [[label, text, percent], ...]}, "total_row": label or null}.
A task not in "rows" is left exactly as the form gave it. Cells are found by the header row's
labels, so the plan does not depend on column positions.
"""
import datetime
import json
import sys

import openpyxl

HEADERS = {
    "number": "序号",
    "text": "本月工作进展",
    "percent": "完成进度(%)",
    "status": "状态",
    "date": "完成日期",
}


def columns(ws):
    for row in ws.iter_rows(min_row=1, max_row=10):
        labels = {str(c.value).strip(): c.column for c in row if c.value is not None}
        if HEADERS["number"] in labels and HEADERS["percent"] in labels:
            return row[0].row, {k: labels[v] for k, v in HEADERS.items() if v in labels}
    raise SystemExit("no header row")


def task_rows(ws, header_row, cols):
    out = {}
    for r in range(header_row + 1, ws.max_row + 1):
        v = ws.cell(r, cols["number"]).value
        if isinstance(v, (int, float)) and float(v).is_integer():
            out[int(v)] = r
    return out


def as_date(text):
    return datetime.datetime.strptime(text, "%Y-%m-%d")


def fill(item):
    wb = openpyxl.load_workbook(item["form"])
    ws = wb.worksheets[0]
    header_row, cols = columns(ws)
    # 填报日期: the value cell right of its label
    for row in ws.iter_rows(min_row=1, max_row=header_row):
        for c in row:
            if isinstance(c.value, str) and c.value.strip().startswith("填报日期"):
                target = ws.cell(c.row, c.column + 1)
                value = item["reported_on"]
                target.value = as_date(value) if isinstance(value, str) else value
    rows = task_rows(ws, header_row, cols)
    for task, entry in item.get("rows", {}).items():
        r = rows[int(task)]
        for key in ("text", "percent", "status"):
            if key in entry:
                ws.cell(r, cols[key]).value = entry[key]
        if "date" in entry:
            ws.cell(r, cols["date"]).value = as_date(entry["date"]) if entry["date"] else None
    # sub-items inserted under their task, bottom-up so row numbers stay valid
    subs = sorted(item.get("sub_items", {}).items(), key=lambda kv: -rows[int(kv[0])])
    for task, items in subs:
        r = rows[int(task)]
        ws.insert_rows(r + 1, len(items))
        for i, (label, text, percent) in enumerate(items):
            ws.cell(r + 1 + i, cols["number"]).value = label
            ws.cell(r + 1 + i, cols["text"]).value = text
            if percent is not None:
                ws.cell(r + 1 + i, cols["percent"]).value = percent
    if item.get("total_row"):
        last = max(task_rows(ws, header_row, cols).values())
        last = max(last, ws.max_row)
        ws.cell(last + 1, cols["number"]).value = item["total_row"]
        ws.cell(last + 1, cols["percent"]).value = 75
    wb.save(item["out"])


def main():
    plan = json.load(open(sys.argv[1], encoding="utf-8"))
    for item in plan:
        fill(item)


if __name__ == "__main__":
    main()
