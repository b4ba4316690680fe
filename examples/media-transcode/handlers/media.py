"""Stand-ins for a media pipeline: split into segments, transcode one segment, concatenate."""
import json
import sys


def split(event):
    n = -(-event["duration_seconds"] // event["segment_seconds"])  # ceiling division
    stem = event["video"].rsplit(".", 1)[0]
    return [{"name": f"{stem}.{i:03d}", "start": i * event["segment_seconds"]} for i in range(n)]


def transcode(event):
    return {"index": event["index"], "file": f'{event["segment"]["name"]}.{event["format"]}'}


def concatenate(event):
    stem = event["video"].rsplit(".", 1)[0]
    ext = event["parts"][0].rsplit(".", 1)[1] if event["parts"] else "mp4"
    return {"output": f"{stem}.{ext}", "parts": len(event["parts"]), "files": event["parts"]}


mode = sys.argv[1]
if mode == "transcode-worker":
    for line in sys.stdin:
        request = json.loads(line)
        print(json.dumps({"id": request["id"], "result": transcode(request["event"])}), flush=True)
else:
    event = json.load(sys.stdin)
    print(json.dumps({"split": split, "concatenate": concatenate}[mode](event)))
