#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Writes lib/licenses.c, ospack's compiled-in table of license facts, from the SPDX license list.
#
# How to refresh the table (the committed lib/licenses.c is generated with the MOF lists):
#
#     python3 tools/gen-licenses.py \
#         ../shared/reference/mof/licenses.json ../shared/reference/mof/mof-licenses.json \
#         -o lib/licenses.c
#
# or `make regen-licenses`. Without arguments only the SPDX list that Debian's `reuse` package
# ships is read (SPDX license list 3.19; see --spdx-dir), and the MOF extras are left out.
#
# Inputs:
#   - the SPDX license list and exception list shipped by `reuse` (licenses.json,
#     exceptions.json): identifiers, names, isOsiApproved, isFsfLibre, isDeprecatedLicenseId;
#   - optionally a newer SPDX license list (the Model Openness Tool's licenses.json): its
#     identifiers are added to the table and, where both lists know a license, its facts win;
#   - optionally the Model Openness Tool's mof-licenses.json: the content type (code, data,
#     document, or a list of them) the tool deems each license meant for.
#
# The flags are facts from those lists, except PERMISSIVE and COPYLEFT, which are the curated
# classification below (see COPYLEFT_FAMILIES and PERMISSIVE_FAMILIES). The output is
# deterministic: the same inputs give the same bytes.

import argparse
import json
import os
import re
import sys

REUSE_DIR = "/usr/lib/python3/dist-packages/reuse/resources"

# The Model Openness Framework's open data and open content licenses: a component under one of
# them counts as openly licensed even though the license is neither OSI-approved nor FSF-libre.
# The MOF list spells the Open Data Commons Public Domain Dedication "ODC-PDDL-1.0"; its SPDX
# identifier is PDDL-1.0, which is what the table marks (see ALIASES).
OPEN_DATA = """
    CC0-1.0
    CC-BY-1.0 CC-BY-2.0 CC-BY-2.5 CC-BY-2.5-AU CC-BY-3.0 CC-BY-3.0-AT CC-BY-3.0-AU
    CC-BY-3.0-DE CC-BY-3.0-IGO CC-BY-3.0-NL CC-BY-3.0-US CC-BY-4.0
    CC-BY-SA-1.0 CC-BY-SA-2.0 CC-BY-SA-2.0-UK CC-BY-SA-2.1-JP CC-BY-SA-2.5 CC-BY-SA-3.0
    CC-BY-SA-3.0-AT CC-BY-SA-4.0
    CDLA-Permissive-1.0 CDLA-Permissive-2.0 CDLA-Sharing-1.0
    ODC-PDDL-1.0 ODC-By-1.0 ODbL-1.0 GFDL-1.3
    OGL-Canada-2.0 OGL-UK-2.0 OGL-UK-3.0
    OpenMDW-1.0
""".split()

ALIASES = {"ODC-PDDL-1.0": "PDDL-1.0"}

# Licenses the table always holds, whether or not a given list has them: the OpenMDW license
# is open for the MOF (an open license for models, data and documents alike).
EXTRA_LICENSES = {
    "OpenMDW-1.0": {"name": "OpenMDW License v1.0", "types": {"code", "data", "document"}},
}

# COPYLEFT: an open license whose terms make modified or combined works carry the same terms
# (share-alike), strong or weak (file- or library-level). Decided family by family:
COPYLEFT_FAMILIES = {
    # GNU licenses, every version and variant (-only, -or-later, +, and the deprecated
    # GPL-x-with-exception identifiers: an exception loosens linking, the copyleft stays).
    "GNU": r"A?L?GPL-.*|GFDL-.*|LGPLLR",
    # Mozilla and its descendants: file-level copyleft. MPL-2.0-no-copyleft-exception only
    # removes compatibility with secondary licenses; the file-level copyleft remains.
    "Mozilla family": r"MPL-.*|NPL-1\.[01]|SPL-1\.0|CPAL-1\.0|Motosoto|Nokia|NOSL|RSCPL"
    r"|CUA-OPL-1\.0|CATOSL-1\.1|OSET-PL-2\.1|BitTorrent-1\.[01]|YPL-1\.[01]|Zimbra-1\.[34]",
    # Eclipse, IBM and Lucent: modifications distributed in source under the same license.
    "Eclipse family": r"EPL-.*|CPL-1\.0|IPL-1\.0|LPL-1\.0|LPL-1\.02|APL-1\.0",
    "CDDL": r"CDDL-.*",
    "Apple": r"APSL-.*",
    # European public licenses. CeCILL 1.x/2.x are GPL-like and CeCILL-C is LGPL-like (weak
    # copyleft on components); CeCILL-B is BSD-like and stays permissive.
    "European": r"EUPL-.*|CECILL-(1\.0|1\.1|2\.0|2\.1|C)|LiLiQ-R-1\.1|LiLiQ-Rplus-1\.1",
    # Rosen's Open Software License and its derivatives.
    "OSL family": r"OSL-.*|NPOSL-3\.0|UCL-1\.0",
    # Other reciprocal software licenses.
    "reciprocal": r"RPL-1\.[15]|RPSL-1\.0|MS-RL|Sleepycat|QPL-1\.0.*|SimPL-2\.0|Watcom-1\.0"
    r"|NGPL|OCLC-2\.0|NASA-1\.3|Frameworx-1\.0|SISSL(-1\.2)?|CAL-1\.0.*|eCos-2\.0|wxWindows"
    r"|Vim",
    # Hardware and fonts: strongly and weakly reciprocal CERN OHL; font licenses whose
    # modified fonts must stay under the same license.
    "hardware and fonts": r"CERN-OHL-[SW]-2\.0|OFL-.*|IPA",
    # Share-alike data and content licenses.
    "share-alike content": r"CC-BY-SA-.*|ODbL-.*|CDLA-Sharing-.*",
}

# PERMISSIVE: an open license that asks for attribution, notices or renaming at most, with no
# copyleft and no restriction on use. The Artistic, LaTeX (LPPL), Ruby and gnuplot licenses
# ask that modified versions be renamed or shipped as patches, but never that they be shared
# under the same terms: permissive. The Open Government Licences and CC BY are attribution-only.
PERMISSIVE_FAMILIES = {
    "BSD and MIT family": r"0BSD|BSD-.*|MIT.*|X11.*|ISC|HPND.*|NCSA|Xnet|XFree86-1\.1|MirOS"
    r"|Intel|NTP|SMLNJ|StandardML-NJ|W3C.*|Unicode-.*|ICU|IJG|Imlib2|FTL|Jam|xinetd"
    r"|SGI-B-2\.0|Multics|Naumen|VSL-1\.0|Condor-1\.1|EUDatagrid|Fair|Nunit|UPL-1\.0"
    r"|PostgreSQL|OLDAP-.*|FSFAP|Zlib|zlib-acknowledgement|BlueOak-1\.0\.0|CNRI-Python"
    r"|Python-2\.0.*|PHP-3\.01?|iMatix|Entessa|Zend-2\.0|ZPL-2\.[01]|AAL|MulanPSL-2\.0"
    r"|LiLiQ-P-1\.1|BSL-1\.0|ECL-[12]\.0|EFL-[12]\.0|OGTSL|OpenSSL|WTFPL|Unlicense"
    r"|CECILL-B|MS-PL|CERN-OHL-P-2\.0|OLFL-1\.3|Spencer-.*",
    "Apache and Academic Free": r"Apache-.*|AFL-.*",
    "rename or patch": r"Artistic-.*|ClArtistic|LPPL-.*|Ruby|gnuplot",
    "public domain and attribution content": r"CC0-1\.0|CC-BY-[0-9].*|CDLA-Permissive-.*"
    r"|ODC-By-1\.0|PDDL-1\.0|OGL-.*|OpenMDW-1\.0",
}

FLAG_NAMES = [
    ("osi", "OSP_LIC_OSI"),
    ("fsf", "OSP_LIC_FSF"),
    ("open_data", "OSP_LIC_OPEN_DATA"),
    ("permissive", "OSP_LIC_PERMISSIVE"),
    ("copyleft", "OSP_LIC_COPYLEFT"),
    ("deprecated", "OSP_LIC_DEPRECATED"),
    ("code", "OSP_LIC_FOR_CODE"),
    ("data", "OSP_LIC_FOR_DATA"),
    ("document", "OSP_LIC_FOR_DOC"),
]


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def merge_list(table, doc):
    """Adds or updates the licenses of one SPDX license list."""
    for lic in doc["licenses"]:
        table[lic["licenseId"]] = {
            "name": lic["name"],
            "osi": bool(lic.get("isOsiApproved")),
            "fsf": bool(lic.get("isFsfLibre")),
            "deprecated": bool(lic.get("isDeprecatedLicenseId")),
            "types": table.get(lic["licenseId"], {}).get("types", set()),
            "listed": True,
        }


def merge_types(table, doc):
    """Records the content types the MOF list gives each license it knows."""
    for lic in doc["licenses"]:
        lid = ALIASES.get(lic["licenseId"], lic["licenseId"])
        types = lic.get("ContentType") or []
        if isinstance(types, str):
            types = [types]
        if lid not in table:
            table[lid] = {"name": lic["name"], "osi": False, "fsf": False,
                          "deprecated": False, "types": set(), "listed": False}
        table[lid]["types"].update(types)


def family(lid, families):
    for name, pattern in families.items():
        if re.fullmatch(pattern, lid):
            return name
    return None


def classify(table, warn):
    open_data = {ALIASES.get(x, x) for x in OPEN_DATA}
    for lid, lic in table.items():
        lic["open_data"] = lid in open_data
        is_open = lic["osi"] or lic["fsf"] or lic["open_data"]
        lic["copyleft"] = lic["permissive"] = False
        if not is_open:
            continue
        if family(lid, COPYLEFT_FAMILIES):
            lic["copyleft"] = True
        elif family(lid, PERMISSIVE_FAMILIES):
            lic["permissive"] = True
        else:
            warn(f"gen-licenses: open license {lid} is not classified: "
                 "add it to COPYLEFT_FAMILIES or PERMISSIVE_FAMILIES")


def c_string(s):
    out = s.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(c if c >= " " else "\\%03o" % ord(c) for c in out) + '"'


def flags_expr(lic):
    names = [c for key, c in FLAG_NAMES if lic.get(key) or key in lic["types"]]
    return " | ".join(names) if names else "0"


def render(table, exceptions, version, sources):
    out = []
    out.append("/* SPDX-License-Identifier: Apache-2.0 */")
    out.append("/* The license table: facts about every SPDX license, generated from the SPDX "
               "license list. */")
    out.append("/*")
    out.append(" * GENERATED by tools/gen-licenses.py: do not edit. To regenerate, run")
    out.append(" *   make regen-licenses")
    out.append(" * which runs tools/gen-licenses.py with the MOF license lists of")
    out.append(" * ../shared/reference/mof/. Read from:")
    for s in sources:
        out.append(" *   " + s)
    out.append(" */")
    out.append('#include "config.h"')
    out.append("")
    out.append('#include "license.h"')
    out.append("")
    out.append("/* clang-format off */")
    out.append("const char osp_license_table_version[] = %s;" % c_string(version))
    out.append("")
    out.append("/* Sorted by identifier, ignoring ASCII case, for binary search. */")
    out.append("const struct osp_license osp_license_table[] = {")
    for lid in sorted(table, key=str.lower):
        lic = table[lid]
        out.append("\t{%s, %s,\n\t %s}," % (c_string(lid), c_string(lic["name"]),
                                           flags_expr(lic)))
    out.append("};")
    out.append("const size_t osp_license_table_len = sizeof(osp_license_table) / "
               "sizeof(osp_license_table[0]);")
    out.append("")
    out.append("/* Sorted by identifier, ignoring ASCII case. */")
    out.append("const char *const osp_exception_table[] = {")
    for eid in sorted(exceptions, key=str.lower):
        out.append("\t%s," % c_string(eid))
    out.append("};")
    out.append("const size_t osp_exception_table_len = sizeof(osp_exception_table) / "
               "sizeof(osp_exception_table[0]);")
    out.append("/* clang-format on */")
    return "\n".join(out) + "\n"


def check_unique(ids, what):
    seen = {}
    for i in ids:
        if i.lower() in seen:
            sys.exit(f"gen-licenses: {what} {i} and {seen[i.lower()]} differ only in case")
        seen[i.lower()] = i


def main():
    ap = argparse.ArgumentParser(description="Generate lib/licenses.c from the SPDX license list.")
    ap.add_argument("mof_licenses", nargs="?", help="the MOF tool's licenses.json (newer SPDX list)")
    ap.add_argument("mof_types", nargs="?", help="the MOF tool's mof-licenses.json (content types)")
    ap.add_argument("--spdx-dir", default=REUSE_DIR,
                    help="folder with the SPDX licenses.json and exceptions.json (default: %(default)s)")
    ap.add_argument("-o", "--output", help="file to write (default: standard output)")
    args = ap.parse_args()

    base = load_json(os.path.join(args.spdx_dir, "licenses.json"))
    exc = load_json(os.path.join(args.spdx_dir, "exceptions.json"))
    sources = ["SPDX license list %s (%s)" % (base["licenseListVersion"], args.spdx_dir)]
    version = base["licenseListVersion"]
    table = {}
    merge_list(table, base)
    if args.mof_licenses:
        newer = load_json(args.mof_licenses)
        merge_list(table, newer)
        sources.append("MOF license list %s (licenses.json)" % newer["licenseListVersion"])
        version += " + MOF list " + newer["licenseListVersion"]
    if args.mof_types:
        merge_types(table, load_json(args.mof_types))
        sources.append("MOF content types (mof-licenses.json)")
    for lid, extra in EXTRA_LICENSES.items():
        if lid not in table:
            table[lid] = {"osi": False, "fsf": False, "deprecated": False, "types": set(),
                          "listed": False}
        if not table[lid]["listed"]:
            table[lid]["name"] = extra["name"]
        table[lid]["types"].update(extra["types"])
    classify(table, lambda msg: print(msg, file=sys.stderr))
    exceptions = [e["licenseExceptionId"] for e in exc["exceptions"]]
    check_unique(table, "license")
    check_unique(exceptions, "exception")

    text = render(table, exceptions, version, sources)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
