#!/usr/bin/env python3
"""Prints each failed test of the given .trx files with its message and the start of its stack trace.

The console logger names a failed test but not why; CI keeps only the console, so the reason is printed here.
"""
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
# CI shows only the end of the output: enough of the message to explain, little of the trace.
MAX_LINES = {"Message": 40, "StackTrace": 12}

for path in sys.argv[1:]:
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as error:
        # A test host that crashed can leave a truncated file; the other files still have their reasons.
        print(f"(could not read {path}: {error})")
        continue
    for result in root.iterfind(".//t:UnitTestResult", NS):
        if result.get("outcome") not in ("Failed", "Error", "Timeout", "Aborted"):
            continue
        print(f"FAILED {result.get('testName')} ({result.get('duration')})")
        error = result.find("t:Output/t:ErrorInfo", NS)
        for tag in ("Message", "StackTrace"):
            text = error.findtext(f"t:{tag}", default="", namespaces=NS) if error is not None else ""
            lines = text.strip().splitlines()
            for line in lines[:MAX_LINES[tag]]:
                print(f"  {line}")
            if len(lines) > MAX_LINES[tag]:
                print(f"  ... {len(lines) - MAX_LINES[tag]} more lines")
