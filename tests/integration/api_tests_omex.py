# SPDX-License-Identifier: Apache-2.0
"""COMBINE/OMEX export and import over real HTTP (loaded by api_test.py, which sets `api`).

Covers GET /models/{id}/omex and POST /omex: the exported archive's manifest, SBML and metadata;
a round trip export -> import giving the same SBML sha256; roles (401, 403, 404 for another
group's model); and hostile archives built here byte by byte (path traversal, absolute names,
backslashes, control and NUL bytes in names, symbolic links, duplicates, too many entries, an
entry or the total over the limits, a compression-ratio bomb, lying sizes, encryption, bzip2,
nested archives, a manifest with a DTD or naming a missing file, no SBML, two SBMLs, not a zip)
-> 4xx with the stored models unchanged.
"""
import io
import json
import os
import struct
import zipfile
import xml.etree.ElementTree as ET

# `api` (the api_test module: call, check, covers, T, S) is set by api_test.py before this runs

MANIFEST_NS = "http://identifiers.org/combine.specifications/omex-manifest"
SBML_FMT = "http://identifiers.org/combine.specifications/sbml"
O = {}
SEDML = """<?xml version="1.0" encoding="UTF-8"?>
<sedML xmlns="http://sed-ml.org/sed-ml/level1/version3" level="1" version="3">
  <listOfSimulations>
    <uniformTimeCourse id="sim1" initialTime="0" outputStartTime="0" outputEndTime="24" numberOfPoints="24"/>
  </listOfSimulations>
  <listOfModels><model id="m1" language="urn:sedml:language:sbml.level-3.version-2" source="model.xml"/></listOfModels>
  <listOfTasks><task id="t1" modelReference="m1" simulationReference="sim1"/></listOfTasks>
  <listOfDataGenerators>
    <dataGenerator id="dg_time"><listOfVariables><variable id="time" symbol="urn:sedml:symbol:time" taskReference="t1"/></listOfVariables>
      <math xmlns="http://www.w3.org/1998/Math/MathML"><ci>time</ci></math></dataGenerator>
  </listOfDataGenerators>
  <listOfOutputs><report id="r1"><listOfDataSets><dataSet id="d1" label="time" dataReference="dg_time"/></listOfDataSets></report></listOfOutputs>
</sedML>
"""


def manifest(entries, master=None):
    rows = ['<content location="." format="http://identifiers.org/combine.specifications/omex"/>',
            '<content location="./manifest.xml" format="%s"/>' % (MANIFEST_NS,)]
    for name, fmt in entries:
        rows.append('<content location="./%s" format="%s"%s/>'
                    % (name, fmt, ' master="true"' if name == master else ""))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<omexManifest xmlns="%s">\n%s\n</omexManifest>\n'
            % (MANIFEST_NS, "\n".join(rows))).encode()


def make_zip(files, compression=zipfile.ZIP_DEFLATED):
    """files: [(name or ZipInfo, bytes)] -> the archive's bytes (duplicates allowed)."""
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", compression) as z:
        for name, data in files:
            if isinstance(name, zipfile.ZipInfo):
                name.compress_type = compression
                z.writestr(name, data)
            else:
                z.writestr(name, data)
    return b.getvalue()


def omex(model_name="model.xml", sbml=None, extra=()):
    if sbml is None:
        sbml = api.SBML
    if isinstance(sbml, str):
        sbml = sbml.encode()
    files = [("manifest.xml", manifest([(model_name, SBML_FMT)] + [(n, "text/plain") for n, _ in extra],
                                       master=model_name)),
             (model_name, sbml)] + list(extra)
    return make_zip(files)


def patch_name(data, old, new):
    """Replaces an entry name in the local and central headers (same length)."""
    assert len(old) == len(new) and data.count(old) >= 2
    return data.replace(old, new)


def patch_sizes(data, name, size):
    """Sets the declared uncompressed size of entry name (local and central header) to size."""
    out = bytearray(data)
    i = 0
    while True:
        i = out.find(b"PK\x03\x04", i)
        if i < 0:
            break
        nlen = struct.unpack_from("<H", out, i + 26)[0]
        if bytes(out[i + 30:i + 30 + nlen]) == name:
            struct.pack_into("<I", out, i + 22, size)
        i += 4
    i = 0
    while True:
        i = out.find(b"PK\x01\x02", i)
        if i < 0:
            break
        nlen = struct.unpack_from("<H", out, i + 28)[0]
        if bytes(out[i + 46:i + 46 + nlen]) == name:
            struct.pack_into("<I", out, i + 24, size)
        i += 4
    return bytes(out)


def set_encrypted(data):
    """Sets the 'encrypted' bit of every entry's general purpose flags."""
    out = bytearray(data)
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        i = 0
        while True:
            i = out.find(sig, i)
            if i < 0:
                break
            flags = struct.unpack_from("<H", out, i + off)[0]
            struct.pack_into("<H", out, i + off, flags | 1)
            i += 4
    return bytes(out)


def post_omex(data, token=None, query="", ctype="application/zip"):
    return api.call("POST", "/omex" + query, token=token or api.T["modA"], raw=data,
                    headers={"Content-Type": ctype})


def S_admin():
    return api.S.admin


def model_ids():
    st, js, _ = api.call("GET", "/models?limit=500", token=api.S.admin)
    return sorted(m["id"] for m in js["items"]) if st == 200 else None


@api.covers("GET /models/{id}/omex")
def t_omex_export():
    call, check, T = api.call, api.check, api.T
    st, _, data = call("GET", "/models/%s/omex" % T["privA"], token=T["modA"])
    ok = st == 200 and data[:4] == b"PK\x03\x04"
    check(ok, "GET /models/{id}/omex by its owner: 200, a ZIP archive")
    if not ok:
        return
    O["archive"] = data
    z = zipfile.ZipFile(io.BytesIO(data))
    names = sorted(z.namelist())
    check(names == ["manifest.xml", "metadata.rdf", "model.xml"],
          "the archive holds manifest.xml, metadata.rdf, model.xml (%s)" % names)
    m = ET.fromstring(z.read("manifest.xml"))
    contents = {c.get("location"): c for c in m.iter("{%s}content" % MANIFEST_NS)}
    mod = contents.get("./model.xml")
    check(m.tag == "{%s}omexManifest" % MANIFEST_NS and mod is not None and mod.get("master") == "true"
          and mod.get("format", "").startswith(SBML_FMT + ".level-")
          and "./metadata.rdf" in contents and "." in contents,
          "manifest.xml: a COMBINE manifest, model.xml master with an SBML level/version format (%s)"
          % (mod.get("format") if mod is not None else None))
    check(z.read("model.xml").decode() == api.SBML, "model.xml is the model's SBML, byte for byte")
    rdf = z.read("metadata.rdf").decode()
    check("<dc:title>Oral one-compartment PK</dc:title>" in rdf and "<dc:publisher>medtwin node, group groupA<" in rdf
          and "<dc:description>test model</dc:description>" in rdf and T["privA"] in rdf,
          "metadata.rdf: Dublin Core title, description, publisher and the model's id")
    st, _, data2 = call("GET", "/models/%s/omex?version=%s" % (T["privA"], T["privA_sha"]), token=T["modA"])
    check(st == 200 and zipfile.ZipFile(io.BytesIO(data2)).read("model.xml").decode() == api.SBML,
          "GET /models/{id}/omex?version=sha256: that version")
    st, _, _ = call("GET", "/models/%s/omex?version=%s" % (T["privA"], "0" * 64), token=T["modA"])
    check(st == 404, "GET /models/{id}/omex?version=<unknown>: 404")
    st, _, _ = call("GET", "/models/%s/omex?version=xyz" % T["privA"], token=T["modA"])
    check(st == 400, "GET /models/{id}/omex?version=xyz: 400")
    st, _, _ = call("GET", "/models/%s/omex" % T["privA"], token=T["modB"])
    check(st == 404, "GET /models/{id}/omex: another group's private model: 404")
    st, _, _ = call("GET", "/models/%s/omex" % T["privA"])
    check(st == 401, "GET /models/{id}/omex without a token: 401")
    st, _, _ = call("GET", "/models/00000000-0000-4000-8000-000000000000/omex", token=T["modA"])
    check(st == 404, "GET /models/<unknown>/omex: 404")
    # a method (SED-ML) that uses the model travels in the archive (POST /methods: node_resources.c)
    st, js, _ = call("POST", "/methods", token=T["modA"], body={"title": "omex method", "visibility": "private",
                                                                "content": SEDML, "model": T["privA"]})
    if st == 404:
        print("     (no /methods endpoint on this node: linked methods not checked)")
        return
    check(st == 201, "POST /methods using the model: 201")
    mid = js["id"] if st == 201 else "none"
    st, _, data = call("GET", "/models/%s/omex" % T["privA"], token=T["modA"])
    z = zipfile.ZipFile(io.BytesIO(data)) if st == 200 else None
    name = "methods/%s.sedml" % mid
    m = ET.fromstring(z.read("manifest.xml")) if z else None
    fmt = [c.get("format") for c in m.iter("{%s}content" % MANIFEST_NS) if c.get("location") == "./" + name] if z else []
    check(z is not None and name in z.namelist() and z.read(name).decode() == SEDML
          and fmt == ["http://identifiers.org/combine.specifications/sed-ml"],
          "the export holds the linked method as %s, listed as SED-ML in the manifest" % name)
    st, _, data = call("GET", "/models/%s/omex" % T["privA"], token=S_admin())
    check(st == 200 and name in zipfile.ZipFile(io.BytesIO(data)).namelist(), "an admin's export holds it too")


@api.covers("POST /omex")
def t_omex_import():
    call, check, T = api.call, api.check, api.T
    data = O.get("archive") or omex()
    st, js, _ = post_omex(data)
    check(st == 201 and js["sha256"] == T["privA_sha"] and js["title"] == "Oral one-compartment PK"
          and js["master"] == "model.xml",
          "POST /omex (the exported archive): 201, the same SBML sha256, the title from metadata.rdf")
    if st == 201:
        st, m, _ = call("GET", "/models/" + js["id"], token=T["modA"])
        check(st == 200 and m["visibility"] == "private" and m["versions"][0]["sha256"] == T["privA_sha"]
              and m["description"] == "test model",
              "the imported model: private, its version's sha256 and the description from the metadata")
        st, m, _ = call("GET", "/models/" + js["id"], token=T["modB"])
        check(st == 404, "the imported private model is hidden from another group: 404")
    # creators travel: the model's metadata -> dc:creator -> the imported model's metadata
    names = ["Ada Lovelace", "\u00c9milie du Ch\u00e2telet <&>"]
    st, js, _ = call("POST", "/models", token=T["modA"], body={"title": "with creators", "visibility": "private",
                                                               "sbml": api.SBML, "creators": names})
    check(st == 201, "POST /models with creators: 201")
    st, _, data = call("GET", "/models/%s/omex" % (js or {}).get("id", "x"), token=T["modA"])
    rdf = zipfile.ZipFile(io.BytesIO(data)).read("metadata.rdf").decode() if st == 200 else ""
    check("<dc:creator>Ada Lovelace</dc:creator>" in rdf and "Ch\u00e2telet &lt;&amp;&gt;</dc:creator>" in rdf,
          "its export names both creators in dc:creator, escaped")
    st, js, _ = post_omex(data)
    st2, m, _ = call("GET", "/models/" + (js or {}).get("id", "x"), token=T["modA"])
    meta = (m or {}).get("metadata")
    meta = json.loads(meta) if isinstance(meta, str) else (meta or {})
    check(st == 201 and st2 == 200 and meta.get("creators") == names and meta.get("omex", {}).get("master") == "model.xml",
          "its import keeps the creators in the new model's metadata (%s)" % meta.get("creators"))
    st, js, _ = post_omex(omex(model_name="models/Theophylline PK.xml"), query="?visibility=group",
                          ctype="application/omex")
    check(st == 201 and js["title"] == "Theophylline PK" and js["master"] == "models/Theophylline PK.xml",
          "POST /omex without metadata, application/omex, in a folder: 201, the title from the file name")
    st, js, _ = post_omex(make_zip([("only.xml", api.SBML.encode())]), query="?title=Named%20here")
    check(st == 201 and js["title"] == "Named here", "POST /omex without a manifest (one SBML), ?title: 201")
    # roles and request checks
    st, _, _ = post_omex(omex(), token=T["readA"])
    check(st == 403, "POST /omex as a reader: 403")
    st, _, _ = post_omex(omex(), query="?visibility=public")
    check(st == 403, "POST /omex public as a modeller: 403")
    st, _, _ = api.call("POST", "/omex", raw=omex(), headers={"Content-Type": "application/zip"})
    check(st == 401, "POST /omex without a token: 401")
    st, _, _ = post_omex(omex(), ctype="application/json")
    check(st == 415, "POST /omex as application/json: 415")
    st, _, _ = post_omex(omex(), query="?visibility=world")
    check(st == 400, "POST /omex?visibility=world: 400")
    st, _, _ = post_omex(omex(), query="?title=%01bad")
    check(st == 400, "POST /omex?title=<control character>: 400")
    st, js, _ = post_omex(omex(sbml="<sbml>not a model"))
    check(st == 422, "POST /omex whose SBML medtwin cannot read: 422")


def hostile_archives():
    sbml = api.SBML.encode()
    good_manifest = manifest([("model.xml", SBML_FMT)], master="model.xml")
    out = [("not a ZIP", b"this is not a zip archive at all", 400),
           ("an empty body", b"", 400),
           ("a truncated ZIP", omex()[:200], 400)]
    out.append(("'../evil.xml' (path traversal)",
                make_zip([("manifest.xml", manifest([("../evil.xml", SBML_FMT)], "../evil.xml")),
                          ("../evil.xml", sbml)]), 400))
    out.append(("'a/../../evil.xml'", make_zip([("a/../../evil.xml", sbml)]), 400))
    # zipfile strips leading slashes and drive letters when writing: patch them in
    abs_zip = patch_name(make_zip([("Xetc/model.xml", sbml)]), b"Xetc/model.xml", b"/etc/model.xml")
    out.append(("an absolute name '/etc/model.xml'", abs_zip, 400))
    out.append(("a backslash name '..\\evil.xml'",
                patch_name(make_zip([("..Xevil.xml", sbml)]), b"..Xevil.xml", b"..\\evil.xml"), 400))
    out.append(("a drive letter 'C:model.xml'",
                patch_name(make_zip([("CXmodel.xml", sbml)]), b"CXmodel.xml", b"C:model.xml"), 400))
    out.append(("a control character in a name", make_zip([("mo\x01del.xml", sbml)]), 400))
    out.append(("a NUL byte in a name",
                patch_name(make_zip([("model.xmlXevil", sbml)]), b"model.xmlXevil", b"model.xml\x00evil"), 400))
    link = zipfile.ZipInfo("model.xml")
    link.create_system = 3
    link.external_attr = (0o120777 << 16)
    out.append(("a symbolic link entry",
                make_zip([("manifest.xml", good_manifest), (link, b"/etc/passwd")]), 400))
    out.append(("duplicate names",
                make_zip([("manifest.xml", good_manifest), ("model.xml", sbml), ("model.xml", sbml)]), 400))
    out.append(("301 entries", make_zip([("model.xml", sbml)] + [("f%03d.txt" % i, b"x") for i in range(300)]), 413))
    out.append(("an entry of 9 MiB", make_zip([("model.xml", sbml), ("big.txt", b"\0" * (9 << 20))]), 413))
    out.append(("a compression-ratio bomb (2 MiB of zeros in ~2 KiB)",
                make_zip([("model.xml", sbml), ("zeros.txt", b"\0" * (2 << 20))]), 413))
    lying = patch_sizes(make_zip([("model.xml", sbml), ("zeros.txt", b"\0" * (3 << 20))]), b"zeros.txt", 1000)
    out.append(("an entry whose declared size lies (1000 bytes declared, 3 MiB of zeros inside)", lying, 413))
    lying = patch_sizes(make_zip([("model.xml", sbml)]), b"model.xml", 100)
    out.append(("an SBML whose declared size lies (100 bytes declared)", lying, 400))
    lying = patch_sizes(make_zip([("model.xml", sbml), ("r.bin", os.urandom(200000))]), b"r.bin", 1 << 30)
    out.append(("an entry declaring 1 GiB (200 kB inside)", lying, 413))
    # 5 x 7 MiB of text compressing about 4:1 (under the ratio limit): over the 32 MiB total
    alphabet = bytes.maketrans(bytes(range(256)), b"ACGT" * 64)
    big = [("part%d.txt" % i, os.urandom(7 << 20).translate(alphabet)) for i in range(5)]
    out.append(("35 MiB in all (5 entries of 7 MiB)", make_zip([("model.xml", sbml)] + big), 413))
    out.append(("encrypted entries", set_encrypted(omex()), 400))
    out.append(("bzip2 compression", make_zip([("model.xml", sbml)], zipfile.ZIP_BZIP2), 400))
    inner = make_zip([("model.xml", sbml)])
    out.append(("only a nested archive (not expanded)", make_zip([("inner.zip", inner)]), 400))
    out.append(("a manifest naming a missing file",
                make_zip([("manifest.xml", manifest([("model.xml", SBML_FMT), ("data.csv", "text/csv")],
                                                     "model.xml")), ("model.xml", sbml)]), 400))
    laughs = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>\n'
              b'<omexManifest xmlns="%s"><content location="./model.xml" format="%s" master="true"/>'
              b'&lol2;</omexManifest>' % (MANIFEST_NS.encode(), SBML_FMT.encode()))
    out.append(("a manifest with a DTD (entities)", make_zip([("manifest.xml", laughs), ("model.xml", sbml)]), 400))
    xxe = (b'<?xml version="1.0"?>\n<!DOCTYPE m SYSTEM "file:///etc/passwd">\n<omexManifest xmlns="%s"/>'
           % MANIFEST_NS.encode())
    out.append(("a manifest with an external DTD", make_zip([("manifest.xml", xxe), ("model.xml", sbml)]), 400))
    out.append(("a manifest that is not XML", make_zip([("manifest.xml", b"<omexManifest"), ("model.xml", sbml)]), 400))
    out.append(("a manifest of another vocabulary",
                make_zip([("manifest.xml", b"<manifest/>"), ("model.xml", sbml)]), 400))
    out.append(("a manifest location with '..'",
                make_zip([("manifest.xml", manifest([("../model.xml", SBML_FMT)], "../model.xml")),
                          ("model.xml", sbml)]), 400))
    out.append(("no SBML at all", make_zip([("readme.txt", b"hello")]), 400))
    out.append(("two SBML files, no manifest", make_zip([("a.xml", sbml), ("b.xml", sbml)]), 400))
    return out


@api.covers("POST /omex")
def t_omex_hostile():
    check = api.check
    before = model_ids()
    for what, data, want in hostile_archives():
        st, js, _ = post_omex(data)
        msg = ((js or {}).get("error") or {}).get("message", "")
        ok = (400 <= st < 500) if want is None else st == want
        check(ok and bool(msg), "POST /omex with %s: %d (%s)" % (what, st, msg[:90]))
    after = model_ids()
    check(before is not None and before == after,
          "the hostile archives stored nothing (%d models before and after)" % len(before or []))
    # an archive nested in a valid one is kept as a file, never expanded
    inner = make_zip([("inner.xml", api.SBML.encode())])
    st, js, _ = post_omex(omex(extra=[("nested/inner.omex", inner)]))
    check(st == 201 and js["master"] == "model.xml" and len(model_ids()) == len(after) + 1,
          "POST /omex with a nested archive beside the model: 201, one model (the nested one not expanded)")


TESTS = [t_omex_export, t_omex_import, t_omex_hostile]
