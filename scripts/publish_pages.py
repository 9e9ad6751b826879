"""Publishes web/ to a deployed stack's pages bucket and invalidates its
distribution (scripts/publish-pages; scripts/stack runs it too).

What the bucket gets, and the Cache-Control the distribution honours
(its cache policy keeps nothing the object does not ask it to):

- each page (`sign-up.html`) under its route (`sign-up`; `index.html` is
  the distribution's root object), `no-store`: a page is never cached, so a
  publish is seen at once;
- each script and stylesheet under a name carrying its content hash
  (`app.3f9c2b1e07.js`), `public, max-age=31536000, immutable`, and every
  page's reference to it rewritten to that name;
- `front.json`, `no-store`: how the operators' page signs its calls (SigV4,
  the API's host and region);
- `site.json`, `no-store`, and `brand/` images, an hour: the product's
  name, logo, favicon, terms, privacy policy and support contact — web/'s
  defaults, or a company's own (`--site DIR` holding `site.json` and
  `brand/…`, which replace web/'s);
- `404.html` as `404`, marked `x-amz-meta-not-found`: the page the
  distribution's router answers unknown page paths with, status 404.

Every object's Content-Type is set from its kind; a file of a kind not
listed here stops the publish rather than be served as something else.
Earlier hashed files are kept: a page loaded before this publish may still
ask for them."""

import argparse
import hashlib
import json
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent

NO_STORE = "no-store"
A_YEAR = "public, max-age=31536000, immutable"
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
}
AN_HOUR = "public, max-age=3600"
IMAGES = (".svg", ".png", ".webp", ".ico")
# The marker the distribution's router turns into status 404.
NOT_FOUND_MARK = {"not-found": "true"}
# A reference in a page to one of our scripts or stylesheets.
ASSET_REFERENCE = re.compile(r'(src|href)="(/[A-Za-z0-9_./-]+\.(?:js|css))"')
# A script's reference to another (app.js's to the texts of each language).
SCRIPT_REFERENCE = re.compile(r'"(/texts/[A-Za-z-]+\.js)"')


def site_files(web, site):
    """{relative path: file} of web/, with `site`'s site.json and brand/
    files in place of web/'s."""
    files = {p.relative_to(web).as_posix(): p for p in web.rglob("*") if p.is_file()}
    if site:
        overlay = {p.relative_to(site).as_posix(): p for p in site.rglob("*") if p.is_file()}
        strays = [name for name in overlay if name != "site.json" and not name.startswith("brand/")]
        if strays:
            raise SystemExit(f"publish-pages: a site directory holds site.json and brand/ only, not {', '.join(strays)}")
        if "site.json" in overlay:
            json.loads(overlay["site.json"].read_text())  # a malformed one stops the publish
        files.update(overlay)
    return [files[name] for name in sorted(files)], {files[name]: name for name in files}


def objects(web, front, site=None):
    """[(key, bytes, content type, cache control, metadata)] of `web` as
    published (with `site`'s files in place of its own), with `front` (a
    dict) as front.json."""
    files, names = site_files(web, site)
    unknown = [names[p] for p in files if p.suffix not in TYPES or p.name == "front.json"]
    if unknown:
        raise SystemExit(f"publish-pages: no content type for {', '.join(unknown)}")
    hashed = {}
    published = []
    # The texts first: app.js names them, and is hashed with their hashed names.
    scripts = sorted((p for p in files if p.suffix in (".js", ".css")), key=lambda p: not names[p].startswith("texts/"))
    for path in files:
        if path.suffix in IMAGES or path.suffix == ".json":
            cache = AN_HOUR if path.suffix in IMAGES else NO_STORE
            published.append((names[path], path.read_bytes(), TYPES[path.suffix], cache, {}))
    for path in scripts:
        if path.suffix in (".js", ".css"):
            data = SCRIPT_REFERENCE.sub(lambda m: f'"{hashed.get(m[1], m[1])}"', path.read_text()).encode()
            relative = names[path]
            name = f"{relative[: -len(path.suffix)]}.{hashlib.sha256(data).hexdigest()[:10]}{path.suffix}"
            hashed[f"/{relative}"] = f"/{name}"
            published.append((name, data, TYPES[path.suffix], A_YEAR, {}))
    for path in files:
        if path.suffix == ".html":
            page = ASSET_REFERENCE.sub(lambda m: f'{m[1]}="{hashed.get(m[2], m[2])}"', path.read_text())
            missing = [ref for _, ref in ASSET_REFERENCE.findall(page) if ref not in hashed.values()]
            if missing:
                raise SystemExit(f"publish-pages: {path.name} refers to {', '.join(missing)}, which web/ does not have")
            key = "index.html" if path.name == "index.html" else names[path][: -len(".html")]
            mark = NOT_FOUND_MARK if key == "404" else {}
            published.append((key, page.encode(), TYPES[".html"], NO_STORE, mark))
    published.append(("front.json", json.dumps(front).encode(), TYPES[".json"], NO_STORE, {}))
    return published


def front_config(api_url, region):
    """What the operators' page needs to sign its calls: the host the API
    sees (CloudFront forwards the call with it) and the region."""
    return {"operator_auth": "sigv4", "api_host": urlparse(api_url).netloc, "region": region}


def publish(s3, cloudfront, bucket, distribution_id, published):
    for key, data, content_type, cache_control, metadata in published:
        s3.put_object(Bucket=bucket, Key=key, Body=data, ContentType=content_type, CacheControl=cache_control,
                      Metadata=metadata)
    cloudfront.create_invalidation(
        DistributionId=distribution_id,
        InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": f"publish-{time.time_ns()}"},
    )


def stack_outputs(cloudformation, stack_name):
    stack = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def main():
    import boto3

    parser = argparse.ArgumentParser(description="Publish web/ to a deployed stack's distribution.")
    parser.add_argument("--stack-name", default="accounts", help="the stack `sam deploy` created (default: accounts)")
    parser.add_argument("--region", help="its region (default: the AWS CLI's)")
    parser.add_argument("--web", type=Path, default=ROOT / "web", help="the pages (default: web/)")
    parser.add_argument("--site", type=Path, help="a directory of site.json and brand/ files replacing web/'s")
    args = parser.parse_args()
    session = boto3.Session(region_name=args.region)
    outputs = stack_outputs(session.client("cloudformation"), args.stack_name)
    published = objects(args.web, front_config(outputs["ApiUrl"], session.region_name), args.site)
    publish(session.client("s3"), session.client("cloudfront"), outputs["WebBucketName"], outputs["DistributionId"],
            published)
    print(f"published {len(published)} objects; the pages are at {outputs['PagesUrl']}", file=sys.stderr)


if __name__ == "__main__":
    main()
