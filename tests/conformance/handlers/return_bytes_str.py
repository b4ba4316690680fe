def handler(event, context):
    return b'"HelloWorld!"'


if __name__ == "__main__":
    import lambda_runtime

    lambda_runtime.main(handler)
