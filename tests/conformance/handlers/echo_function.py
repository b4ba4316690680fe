def handler(event, context):
    return {"Return": "HelloWorld"}


if __name__ == "__main__":
    import lambda_runtime

    lambda_runtime.main(handler)
