import time


def handler(event, context):
    time.sleep(60)
    return event


if __name__ == "__main__":
    import lambda_runtime

    lambda_runtime.main(handler)
