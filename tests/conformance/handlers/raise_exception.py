def handler(event, context):
    raise Exception("Some exception was raised.")


if __name__ == "__main__":
    import lambda_runtime

    lambda_runtime.main(handler)
