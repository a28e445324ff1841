"""Runs inside the sandbox: python3 -I -S /code/harness.py RESULT_FD MODE [FUNCTION].

Loads /code/solution.py, then calls FUNCTION with the arguments of /code/input.json (function mode,
the candidate's prints go to stderr) or runs it as __main__ on stdin (stdin mode). Reports one JSON
line on RESULT_FD: status (ok, syntax_error, runtime_error, memory_limit), the return value, an
error excerpt, CPU seconds and peak memory of this process.
"""
import json
import os
import resource
import sys
import traceback

FD = int(sys.argv[1])
MODE = sys.argv[2]
NAME = sys.argv[3] if len(sys.argv) > 3 else None


def report(status, **extra):
    usage = resource.getrusage(resource.RUSAGE_SELF)
    extra.update(status=status, cpu=usage.ru_utime + usage.ru_stime, rss_kb=usage.ru_maxrss)
    try:
        line = json.dumps(extra)
    except (TypeError, ValueError) as exc:
        line = json.dumps({"status": "runtime_error", "error": f"the function returned a value that is not "
                           f"JSON data (numbers, text, lists, dicts): {exc}", "cpu": extra["cpu"],
                           "rss_kb": extra["rss_kb"]})
    os.write(FD, (line + "\n").encode())


def error_text(exc):
    lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
    return "".join(line for line in lines if "/code/harness.py" not in line)[-2000:]


def main():
    with open("/code/solution.py", encoding="utf-8") as handle:
        source = handle.read()
    try:
        code = compile(source, "solution.py", "exec")
    except (SyntaxError, ValueError) as exc:
        report("syntax_error", error="".join(traceback.format_exception_only(type(exc), exc))[-2000:])
        return
    namespace = {"__name__": "__main__" if MODE == "stdin" else "solution", "__builtins__": __builtins__}
    sys.argv = ["solution.py"]  # what a program run on its own would see
    real_stdout = sys.stdout
    if MODE == "function":
        sys.stdout = sys.stderr  # prints are not the return value
    try:
        exec(code, namespace)
        if MODE == "function":
            function = namespace.get(NAME)
            if not callable(function):
                report("runtime_error", error=f"no function named {NAME} is defined")
                return
            with open("/code/input.json", encoding="utf-8") as handle:
                arguments = json.load(handle)
            value = function(*arguments)
            report("ok", value=value)
        else:
            real_stdout.flush()
            report("ok")
    except MemoryError:
        report("memory_limit", error="MemoryError: the memory limit was reached")
    except SystemExit as exc:
        if MODE == "stdin" and exc.code in (None, 0):
            real_stdout.flush()
            report("ok")
        else:
            report("runtime_error", error=f"the program exited with status {exc.code!r}")
    except BaseException as exc:  # the candidate's exception, whatever it is
        report("runtime_error", error=error_text(exc))
    finally:
        try:
            real_stdout.flush()
        except Exception:
            pass


main()
