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
  the API's host and region).

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
}
# A reference in a page to one of our scripts or stylesheets.
ASSET_REFERENCE = re.compile(r'(src|href)="(/[A-Za-z0-9_./-]+\.(?:js|css))"')


def objects(web, front):
    """[(key, bytes, content type, cache control)] of `web` as published,
    with `front` (a dict) as front.json."""
    files = sorted(p for p in web.rglob("*") if p.is_file())
    unknown = [str(p.relative_to(web)) for p in files if p.suffix not in TYPES or p.name == "front.json"]
    if unknown:
        raise SystemExit(f"publish-pages: no content type for {', '.join(unknown)}")
    hashed = {}
    published = []
    for path in files:
        if path.suffix in (".js", ".css"):
            data = path.read_bytes()
            relative = path.relative_to(web).as_posix()
            name = f"{relative[: -len(path.suffix)]}.{hashlib.sha256(data).hexdigest()[:10]}{path.suffix}"
            hashed[f"/{relative}"] = f"/{name}"
            published.append((name, data, TYPES[path.suffix], A_YEAR))
    for path in files:
        if path.suffix == ".html":
            page = ASSET_REFERENCE.sub(lambda m: f'{m[1]}="{hashed.get(m[2], m[2])}"', path.read_text())
            missing = [ref for _, ref in ASSET_REFERENCE.findall(page) if ref not in hashed.values()]
            if missing:
                raise SystemExit(f"publish-pages: {path.name} refers to {', '.join(missing)}, which web/ does not have")
            key = "index.html" if path.name == "index.html" else path.relative_to(web).as_posix()[: -len(".html")]
            published.append((key, page.encode(), TYPES[".html"], NO_STORE))
    published.append(("front.json", json.dumps(front).encode(), TYPES[".json"], NO_STORE))
    return published


def front_config(api_url, region):
    """What the operators' page needs to sign its calls: the host the API
    sees (CloudFront forwards the call with it) and the region."""
    return {"operator_auth": "sigv4", "api_host": urlparse(api_url).netloc, "region": region}


def publish(s3, cloudfront, bucket, distribution_id, published):
    for key, data, content_type, cache_control in published:
        s3.put_object(Bucket=bucket, Key=key, Body=data, ContentType=content_type, CacheControl=cache_control)
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
    args = parser.parse_args()
    session = boto3.Session(region_name=args.region)
    outputs = stack_outputs(session.client("cloudformation"), args.stack_name)
    published = objects(args.web, front_config(outputs["ApiUrl"], session.region_name))
    publish(session.client("s3"), session.client("cloudfront"), outputs["WebBucketName"], outputs["DistributionId"],
            published)
    print(f"published {len(published)} objects; the pages are at {outputs['PagesUrl']}", file=sys.stderr)


if __name__ == "__main__":
    main()
