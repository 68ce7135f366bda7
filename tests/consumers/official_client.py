"""xtuner's own RewardModelClient against `polar-cli serve`.

The request code is the official one, fetched from PyPI at test time
(xtuner==0.2.0, xtuner/utils/rm_utils.py; not copied into this repository),
run in a virtual environment with `requests`. Its three request methods
(SGLang /classify, vLLM /pooling, LMDeploy /pooling) and its __call__ are
pointed at our server and must read back the rewards `polar-cli score` gives
for the same encoded texts. The client's tokenizer (transformers) is not
needed for that: the texts come already encoded, as RL loops send them.
The other direction too: a recording server receives the official client's
requests and `polar-cli score --server`'s for the same texts, and the bodies
must be the same JSON.

usage: official_client.py POLAR_CLI MODEL_DIR WORK_DIR
Prints "skipped: ..." and exits 0 when PyPI cannot be reached.
"""
import http.server
import importlib.util
import json
import os
import subprocess
import sys
import threading
import types
import zipfile

XTUNER = "xtuner==0.2.0"


def prepare(work):
    """A venv with requests and the xtuner wheel's rm_utils.py; None when offline."""
    venv = os.path.join(work, "venv")
    python = os.path.join(venv, "bin", "python")
    source = os.path.join(work, "rm_utils.py")
    if os.path.exists(python) and os.path.exists(source):
        return python, source
    os.makedirs(work, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    pip = [python, "-m", "pip", "-q", "--disable-pip-version-check"]
    wheels = os.path.join(work, "wheels")
    for step in (pip + ["install", "requests"], pip + ["download", "--no-deps", XTUNER, "-d", wheels]):
        r = subprocess.run(step, capture_output=True, text=True)
        if r.returncode != 0:
            return None, (r.stderr.strip().splitlines() or ["pip failed"])[-1]
    wheel = [f for f in os.listdir(wheels) if f.endswith(".whl")][0]
    with zipfile.ZipFile(os.path.join(wheels, wheel)) as z:
        with open(source, "wb") as f:
            f.write(z.read("xtuner/utils/rm_utils.py"))
    return python, source


def serve(cli, model, *extra):
    p = subprocess.Popen([cli, "serve", "--model", model, "--port", "0", "--quiet", *extra],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = p.stdout.readline()  # "serving NAME on http://127.0.0.1:PORT"
    if "http://" not in line:
        p.kill()
        raise SystemExit(f"polar-cli serve did not start: {line!r}")
    return p, line.split("http://")[1].strip()


class Recorder(http.server.BaseHTTPRequestHandler):
    """Keeps every request body and answers in the shape its path expects."""
    bodies = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Recorder.bodies.append((self.path, body))
        texts = body.get("text", body.get("input", []))
        if self.path.endswith("/classify"):
            answer = [{"embedding": [0.0], "meta_info": {}} for _ in texts]
        else:
            answer = {"data": [{"index": i, "object": "pooling", "data": [[0.0]]} for i in range(len(texts))]}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def same_requests(cli, model, python, source, texts, records_path):
    """The official client's request bodies and ours, for the same texts, are the same JSON."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    address = f"127.0.0.1:{server.server_port}"
    failures = []
    try:
        for engine in ("vllm", "sglang", "lmdeploy"):
            Recorder.bodies = []
            code = (f"import sys, types, importlib.util\n"
                    f"sys.modules['transformers'] = types.SimpleNamespace(AutoTokenizer=None)\n"
                    f"spec = importlib.util.spec_from_file_location('rm_utils', {source!r})\n"
                    f"m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
                    f"c = m.RewardModelClient.__new__(m.RewardModelClient)\n"
                    f"c.server_address, c.rm_name = {address!r}, {os.path.basename(model)!r}\n"
                    f"c.{engine}_request_reward({texts!r}, max_retries=1)\n")
            subprocess.run([python, "-c", code], check=True)
            official = Recorder.bodies
            Recorder.bodies = []
            subprocess.run([cli, "score", "--model", model, "--server", f"{engine}={address}", "--request-batch", "1000",
                            records_path], capture_output=True, check=True)
            ours = Recorder.bodies
            if official != ours:
                failures.append(f"{engine}: the official client sent {official}, polar-cli sent {ours}")
            else:
                print(f"ok: {engine} requests are the official client's: {official[0][0]} {sorted(official[0][1])}")
    finally:
        server.shutdown()
    return failures


def client_side(source, expected_path, addresses):
    """Runs inside the venv: the official client against our servers."""
    sys.modules["transformers"] = types.SimpleNamespace(AutoTokenizer=None)  # only its tokenizer needs it
    spec = importlib.util.spec_from_file_location("rm_utils", source)
    rm_utils = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(rm_utils)
    expected = json.load(open(expected_path, encoding="utf-8"))
    texts, rewards = expected["texts"], expected["rewards"]
    failures = []

    def check(name, got):
        if got is None or len(got) != len(rewards) or any(abs(a - b) > 1e-4 for a, b in zip(got, rewards)):
            failures.append(f"{name}: got {got}, expected {rewards}")
        else:
            print(f"ok: {name} read {len(got)} rewards")

    for server_type, address in addresses.items():
        client = rm_utils.RewardModelClient.__new__(rm_utils.RewardModelClient)  # no tokenizer to load
        client.server_address, client.server_type, client.rm_name = address, server_type, "POLAR-7B"
        check(f"{server_type}_request_reward", getattr(client, f"{server_type}_request_reward")(texts, max_retries=1))
        check(f"{server_type} __call__", client(texts))
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


def main():
    if sys.argv[1] == "--client":
        raise SystemExit(client_side(sys.argv[2], sys.argv[3], json.loads(sys.argv[4])))
    cli, model, work = sys.argv[1:4]
    python, source = prepare(work)
    if python is None:
        print(f"skipped: cannot fetch {XTUNER} and requests from PyPI ({source})")
        return 0
    records = [
        {"prompt": "How many 'r's are in strawberry?", "reference": "3", "output": "There are three."},
        {"prompt": "How many 'r's are in strawberry?", "reference": "3", "output": "Two."},
        {"prompt": [{"role": "user", "content": "Übersetze: 猫"}], "reference": "Katze 🐱", "output": "Hund"},
    ]
    data = os.path.join(work, "records.jsonl")
    with open(data, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    out = subprocess.run([cli, "score", "--model", model, "--explain", data], capture_output=True, text=True, check=True)
    scored = [json.loads(line) for line in out.stdout.splitlines()]
    expected = os.path.join(work, "expected.json")
    with open(expected, "w", encoding="utf-8") as f:
        json.dump({"texts": [r["explain"]["encoded_text"] for r in scored], "rewards": [r["reward"] for r in scored]}, f)
    failures = same_requests(cli, model, python, source, [r["explain"]["encoded_text"] for r in scored], data)
    for f in failures:
        print("FAIL:", f)
    vllm_style, vllm_address = serve(cli, model)
    lmdeploy_style, lmdeploy_address = serve(cli, model, "--pooling", "lmdeploy")
    try:
        addresses = {"sglang": vllm_address, "vllm": vllm_address, "lmdeploy": lmdeploy_address}
        rc = subprocess.run([python, os.path.abspath(__file__), "--client", source, expected, json.dumps(addresses)]).returncode
        return 1 if failures else rc
    finally:
        for p in (vllm_style, lmdeploy_style):
            p.terminate()
            p.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
